"""Training sentences for the packaged NER model: our own templates filled from Faker's locales.

This is how Presidio-research builds its synthetic set, but with templates of our own: requests
people make of a content bot, chat lines, signatures and form-like snippets, plus sentences with
no personal data at all (brands, products, weekdays, job titles) so that capitalised words alone
do not read as a name. Faker supplies names, cities, countries and street addresses from many
locales; nothing here is taken from any evaluation set.

Faker is a training-time dependency (the ``train`` extra), imported only when a corpus is built.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faker import Faker

# Locales with Latin-script names and addresses, the ones a Slack workspace writing in English
# mostly meets.
LOCALES = (
    "en_US",
    "en_GB",
    "en_AU",
    "en_CA",
    "en_IE",
    "en_IN",
    "en_NZ",
    "de_DE",
    "de_AT",
    "fr_FR",
    "es_ES",
    "es_MX",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "pt_PT",
    "pl_PL",
    "sv_SE",
    "da_DK",
    "no_NO",
    "fi_FI",
    "cs_CZ",
    "ro_RO",
    "tr_TR",
    "id_ID",
    "vi_VN",
    "el_GR",
    "hu_HU",
    "et_EE",
    "hr_HR",
    "sk_SK",
    "lt_LT",
)
LABELS = ("PERSON", "LOCATION", "ADDRESS")

# Slots a template may use: {person}, {first}, {last}, {title} {last} -> PERSON; {city}, {country},
# {region} -> LOCATION; {address}, {street} -> ADDRESS. The rest fill in text that is not personal.
_LABEL_OF_SLOT = {
    "person": "PERSON",
    "first": "PERSON",
    "last": "PERSON",
    "last2": "PERSON",
    "person2": "PERSON",
    "first2": "PERSON",
    "first3": "PERSON",
    "first4": "PERSON",
    "last3": "PERSON",
    "city": "LOCATION",
    "country": "LOCATION",
    "region": "LOCATION",
    "city2": "LOCATION",
    "upper_city": "LOCATION",
    "address": "ADDRESS",
    "street": "ADDRESS",
}

TEMPLATES: tuple[str, ...] = (
    # Content requests.
    "Write a LinkedIn post congratulating {person} on {years} years at {company}.",
    "Draft a short thank-you note to {first} for hosting the offsite in {city}.",
    "Can you write a welcome message for {person}, who joins the {team} team on Monday?",
    "Turn this into a tweet: {person} just closed our biggest deal in {country}!",
    "Write a farewell card for {first} {last}, who is moving to {city}.",
    "Announce that {title} {last} will keynote our summit in {city}, {country}.",
    "Please write an email to {person} confirming the delivery to {address}.",
    "Create an Instagram caption for our new store at {address}.",
    "Write a blog post about {first}'s trip from {city} to {city2}.",
    "Summarise the call with {person} and {person2} about the {product} launch.",
    "Write a press release: {company} opens a new office in {city}.",
    "Make a birthday post for {first}, our lead designer.",
    "Give me three subject lines for an invite to {person} about the {event}.",
    "Compose a reply to {title} {last} thanking them for the feedback on {product}.",
    "Write a job ad for a {job} based in {city}, {region}.",
    "Draft a newsletter intro mentioning our partners in {country} and {city}.",
    "Rewrite this so it sounds friendlier: {first}, please send the invoice again.",
    "Introduce {person} to {person2} in a short Slack message.",
    "We're hosting a meetup at {address} next {weekday}; write the invite.",
    "Write a customer story about {person} from {city} who uses {product} daily.",
    "Post an update: {first} and {last2} shipped the {product} beta.",
    "Write a condolence note to {first} {last} and family.",
    "Create a short bio for {title} {last}, a {job} who lives in {city}.",
    "Write an ad for our bakery on {street} in {city}.",
    "Send {first} a reminder that the workshop moved to {address}.",
    "Thank {person} for speaking at {event} in {city}.",
    "Tell {first} the parcel went to {address} instead of the office.",
    "Ask {person} whether the {city} venue still has space for {count} people.",
    "Write a shout-out for {first} who fixed the {product} outage last night.",
    # Chat lines and notes.
    "Hi, this is {person}, I'm calling about my order.",
    "My name is {person} and I live at {address}.",
    "I'm {first}, a {job} from {city}.",
    "{person} will cover for me while I'm in {country}.",
    "Ping {first} when the draft is ready.",
    "Meeting with {title} {last} moved to {weekday} at {time}.",
    "{first} said the photos from {city} are in the shared drive.",
    "Please ship it to {address} by {weekday}.",
    "We met {person} at the conference in {city} last year.",
    "{person} was born in {city} and moved to {country} in {year}.",
    "Our office is at {address}.",
    "The new warehouse is on {street}, close to the station.",
    "Forward this to {first} {last} and cc {person2}.",
    "can you tell {lower_first} the deck is done",
    "ask {lower_person} about the {city} trip",
    "send the contract to {lower_person} at {address}",
    "I moved from {city} to {city2} last month.",
    "She flew to {country} to meet {person}.",
    "Lunch with {first} near {street}?",
    "{first}'s flight from {city} lands at {time}.",
    # Signatures and form-like snippets.
    "Best regards,\n{person}\n{job}, {company}\n{address}",
    "Name: {person}\nAddress: {address}\nCity: {city}",
    "Cheers, {first}",
    "Contact: {person}, {email}",
    "Ship to: {person}, {address}",
    "Billing address: {address}",
    "Customer: {person} | Location: {city}, {country}",
    "From: {person} <{email}>\nSubject: visit to {city}",
    "{person}\n{address}\n{phone}",
    "Attendee list: {person}, {person2} and {first}.",
    "Deliver to {address}. Call {first} on arrival.",
    "Applicant {person}, resident of {city}, {region}.",
    # Narrative and reporting.
    "Yesterday {person} visited our store in {city} and bought two licences.",
    "According to {person}, the {city} office will reopen in {month}.",
    "{person}, a {job} at {company}, spoke about {topic}.",
    "Last week {first} {last} flew back from {country} with the signed contract.",
    "The award goes to {person} for outstanding work on {product}.",
    "{first} grew up in {city} and studied in {city2}.",
    "After ten years in {city}, {person} is retiring.",
    "The package for {person} was left at {address} on {weekday}.",
    "Police in {city} said {person} found the lost laptop.",
    "{person} ({age}) lives at {address} with two cats.",
    "Our guest today is {person}, founder of {company}, joining from {city}.",
    "He met {first} in {country} during the {event}.",
    "It was {person} who suggested the venue on {street}.",
    "The {team} team, led by {person}, moved to {address}.",
    "{first} and {first2} are driving from {city} to {city2} on {weekday}.",
    # Customer support and forms.
    "Hello, I am {person}. My order never arrived at {address}.",
    "Please update my address to {address}. Thanks, {first}",
    "Account holder: {person}\nDate of birth: {date}\nAddress: {address}",
    "Patient {person} was transferred to the clinic in {city}.",
    "Dear {title} {last}, your appointment in {city} is confirmed for {weekday}.",
    "I, {person}, agree to the terms above.",
    "Emergency contact: {person}, {phone}",
    "The invoice is addressed to {person}, {address}, {country}.",
    "Hi {first}! Are you still in {city}?",
    "Thanks {first}, see you in {city}.",
    "Signed: {person}, {city}, {date}",
    "Delivery address\n{person}\n{address}",
    "Lives in: {city}, {country}",
    "Where is {street}? I need to get to {address} by noon.",
    "{person} <{email}> wrote: can we move the call?",
    "My colleague {person} from the {city} team will join.",
    "Surname: {last}, given name: {first}, place of birth: {city}",
    "{last}, {first} - {job}, {city}",
    "Write a toast for {first}'s wedding in {country}.",
    "Create a poster for the concert at {address} featuring {person}.",
    "Plan a two-day itinerary for {person} visiting {city}.",
    "Compose a tweet thanking {person} and the volunteers in {city}.",
    "Can you make a LinkedIn recommendation for {person}? We worked together in {city}.",
    "I live at {address} and my neighbour {first} keeps parking in front of it.",
    # Chat transcripts and scripts: a first name as the speaker, alone at the start of a line.
    "{first}: Are we still on for {weekday}?\n{first2}: Yes, see you at {time}.",
    "{first}: I think the {product} demo went well.",
    "{first2}: can you send me the slides?\n{first}: sure, give me a minute",
    '{first} shouted at {first2}: "Where were you?"',
    "{first} had lunch with {first2} and talked about {topic}.",
    "{first} is the best {job} I have worked with.",
    "{first} said yes!",
    "{first} wants the {product} report by {weekday}.",
    # Lists of first names or surnames.
    "Invite {first}, {first2}, {first3} and {first4} to the {event}.",
    "The team: {first}, {first2}, {first3}.",
    "The founders, {last}, {last2} and {last3}, met at university.",
    "Thanks to {last} and {last2} for the review.",
    '"We will grow in {country}," says {last}.',
    "Ask {title} {last} whether {first} can join.",
    # Names and places typed in lower case, or written in capitals in forms and addresses.
    "my name is {lower_person}, please update my account",
    "hi, {lower_first} here. can you check my order?",
    "is {lower_person} joining the call?",
    "i grew up in {lower_city} and moved to {lower_city2}",
    "I grew up in {upper_city}.",
    "Place of birth: {upper_city}",
    "{person}\n{upper_city}\n{country}",
    "I'm in {upper_city} for a conference this week.",
    "She was born in {city}, {country}, and now lives in {upper_city}.",
    # A name alone on a line: resume headers, signatures, pasted mail.
    "{person}\n\n{job}\n\nSummary: experienced {job} from {city}.",
    "{lower_person}\n{company}",
    "Regards\n{first}",
    "-- \n{person}\n{company}",
    "Sent by {person} from {city}",
    "Maybe it's under {person}?",
    "The booking is under the name {person}.",
    "Have you heard {person} speak?",
    "We returned to {city} by train on {weekday}.",
    "Who is coming to {country} with me?",
    "The economy of {city} depends on tourism.",
    "{country} is moving in the right direction, says {person}.",
)

# Sentences with no person, place or address: brands, products, weekdays, titles and numbers must
# stay unmasked, and capitalised words must not read as names on their own.
NEGATIVE_TEMPLATES: tuple[str, ...] = (
    "Write a LinkedIn post about our {product} release on {weekday}.",
    "Summarise the Q3 results for {company} in three bullet points.",
    "Draft a tweet announcing version {version} of {product}.",
    "Create a blog outline about remote work tips for a {job}.",
    "Write an email reminding the team that invoice {number} is due on {date}.",
    "Order {number} shipped today; write a short apology for the delay.",
    "Give me five hashtags for a post about {topic}.",
    "Rewrite this paragraph in a more formal tone.",
    "Our {product} subscription costs ${price} per month; write an ad.",
    "Explain the difference between {topic} and {topic2} for beginners.",
    "Write a haiku about {topic}.",
    "Make the {event} announcement sound more exciting.",
    "The {company} team will present the {product} roadmap at {time}.",
    "Please translate the {product} onboarding guide into plain English.",
    "List the pros and cons of {topic} for a small business.",
    "Write a {weekday} motivation post for the {team} team.",
    "Turn these notes into a press release for {company}.",
    "Thanks for the update on ticket {number}!",
    "The {event} starts on {date} at {time}.",
    "Write a product description for the {product} with {count} features.",
    "Create a poll asking which {topic} feature to build next.",
    "Draft a {job} job description with a salary of ${price}.",
    "Send the report in Markdown, not HTML or PDF.",
    "Use Python and SQL examples in the tutorial.",
    "Write a Slack message about the January sale.",
    "{opener} {task} about {topic}. {constraint}",
    "{opener} {task} for the {team} team. {constraint}",
    "{question} {topic} {ending}",
    "{question} the {product} {ending}",
    "{constraint} {opener} {task} about {topic}.",
    "{opener} {task} in {language}. {constraint}",
    "Your answer must mention {topic} and {topic2}. {constraint}",
    "You are a {job}. {opener} {task} about {topic}.",
    "Hello! {question} {topic}?",
    "Additionally, {lower_constraint}",
    "Don't use the word {topic} in the {task_noun}.",
    "Find the {task_noun} that best fits {topic}, then {lower_constraint}",
    "Begin with a question and keep it under {count} words.",
    "Is there anything else I can help with regarding {topic}?",
    "What did the {job} say about {topic} in the {event}?",
    "In {month}, the {team} team will publish the {product} guide.",
    "Write a {language} translation of the {product} FAQ.",
    "Our {month} newsletter covers {topic}, {topic2} and the {event}.",
    "Explain {topic} like I am five. Use an analogy with {product}.",
    "I want you to act as a {job}. {constraint}",
    "Act as a {job} and review my {task_noun}. {constraint}",
    "Rate this {task_noun} from 1 to 10 and explain why.",
    "Why is the sky blue? Answer in one sentence.",
    "Generate a {language} and English version of this {task_noun}.",
    "Which {product} plan should a startup choose?",
    "Respond with Yes or No only.",
    "Step 1: {opener} {task}. Step 2: {lower_constraint}",
    "Explain how {tech} works in {tech2}, for our developer blog.",
    "How do I set up {tech} in {tech2}?",
    "Announce that the price drops from {amount} to {amount2} on {day_month}.",
    "The {product} costs {amount} until {day_month}; write an ad.",
    "Write release notes for {product} {version}: faster {tech} and a new {tech2} export.",
    "Compare {tech} with {tech2} in a table.",
    "Our {month} sale: {count} items from {amount}, shipping on {day_month}.",
    "Tracking code {code} shows the parcel is in transit.",
    "Post in #general that {product} {version} fixes the {tech} bug from {day_month}.",
    "Write about the history of {tech} and why {company} bet on it.",
    "Describe the {event} agenda: keynote at {time}, {tech} workshop at {time2}.",
    # Form labels, headings and capitalised common words that read like names but are not.
    "{Label}: {lower_task_noun}\n{Label2}: {topic}",
    "{Label}:\n- {Common} {common}\n- {Common2} {common2}",
    "{Common} {Common2}",
    "{Common}, {Common2} and {Common3}",
    "{Common} {common} {common2}.",
    "{Verb} the {task_noun} and {lower_constraint}",
    "{Verb} at least two sections of your answer.",
    "Categories: {Common}, {Common2} News, {Common3} & {Common4}.",
    "Title: {Common} {Common2} for {Common3}",
    "Find the $ value paid to {brand}?",
    "Thank you for using {brand}!",
    "Sent from {brand}",
    "{brand} will rename {brand2} next year.",
    "Compare {brand} with {brand2} for a small team.",
    "Answer in {language}, no other language is allowed.",
    "Translate the {task_noun} into {language} and {language2}.",
    "Review {count}: the {product} is {adjective}.",
    "Section {count}: {Common} {common}",
    "Yeah, I know how you feel.",
    "Personally, I think {topic} is {adjective}.",
    "Total paid: {amount}",
    "Invoice ID: {code}",
    "{Weekday_short}, {day_month} {year} {time}",
    "The {Common} {Common2} {Common3} is on sale at {brand}.",
    "Write an ad for {brand} {Common} {Common2}.",
)

_OPENERS = (
    "Write",
    "Please write",
    "Can you write",
    "Could you draft",
    "Create",
    "Generate",
    "Compose",
    "I need",
    "Help me write",
    "Make",
    "Give me",
    "Provide",
    "Prepare",
    "Put together",
)
_TASKS = (
    "a blog post",
    "a tweet",
    "an email",
    "a poem",
    "a short story",
    "a product description",
    "a cover letter",
    "a rap song",
    "an essay",
    "a limerick",
    "a rubric",
    "a riddle",
    "a slogan",
    "a summary",
    "a list of tips",
    "a joke",
    "an itinerary",
    "a resume",
)
_CONSTRAINTS = (
    "Wrap your entire response in double quotes.",
    "Do not use any commas.",
    "Your response should contain at least 3 paragraphs.",
    "Answer in English and use markdown.",
    "Use curly brackets for placeholders like {{name}}.",
    "Keep it under 200 words.",
    "Highlight at least two sections with markdown.",
    "End your response with a P.S.",
    "First repeat the request word for word without change.",
    "Include the keywords growth and trust.",
    "Make sure the letter q appears at least 5 times.",
    "Your ENTIRE response should be in lowercase letters.",
    "Please reply in JSON format.",
    "Finish with the phrase Any other questions?",
    "Separate paragraphs with the markdown divider ***.",
    "Add a title wrapped in double angular brackets.",
)
_QUESTIONS = (
    "What is",
    "How do I use",
    "Why does",
    "Can you explain",
    "What are the benefits of",
    "How can I improve",
    "Which is better for",
    "Where can I learn about",
    "When should I use",
    "Who invented",
    "Is it true that",
    "How does",
)
_ENDINGS = ("work?", "matter?", "in simple terms.", "for a beginner?", "compared to last year?", "?", "in 2024?")
_TECH = (
    "OAuth",
    "Python",
    "Kubernetes",
    "Docker",
    "GraphQL",
    "React",
    "PostgreSQL",
    "Redis",
    "TypeScript",
    "Terraform",
    "Rust",
    "Bluetooth",
    "Salesforce",
    "WordPress",
    "Excel",
    "Jira",
    "Linux",
    "Android",
    "Swift",
    "Kafka",
)
_CURRENCIES = ("EUR", "USD", "GBP", "$", "€", "£", "CHF", "SEK")
_LANGUAGES = ("English", "Spanish", "French", "German", "Japanese", "Hindi", "Portuguese", "Chinese", "Italian")
_TOPICS = (
    "machine learning",
    "sustainability",
    "cloud security",
    "email marketing",
    "SEO",
    "productivity",
    "Kubernetes",
    "customer success",
    "content strategy",
    "AI ethics",
    "electric cars",
    "coffee",
    "spring cleaning",
    "Black Friday",
    "the Olympics",
)
_PRODUCTS = (
    "Atlas",
    "Nimbus Pro",
    "the Aurora app",
    "PixelPad",
    "Slack",
    "Notion",
    "Zoom",
    "Excel",
    "iPhone 15",
    "Figma",
)
_EVENTS = ("product launch", "annual summit", "hackathon", "town hall", "Tech Week", "webinar", "open day")
_TEAMS = ("marketing", "Sales", "design", "platform", "Customer Success", "finance", "Growth")
_MONTHS = ("January", "March", "April", "May", "June", "August", "September", "October", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TITLES = ("Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "Dr", "Mr", "Ms", "Sir", "Madam")
# Real places people mention, alongside Faker's (partly invented) city names.
_WORLD_PLACES = (
    "London",
    "Paris",
    "Berlin",
    "New York",
    "San Francisco",
    "Tokyo",
    "Sydney",
    "Toronto",
    "Mumbai",
    "São Paulo",
    "Lagos",
    "Nairobi",
    "Cape Town",
    "Dublin",
    "Lisbon",
    "Madrid",
    "Barcelona",
    "Rome",
    "Milan",
    "Amsterdam",
    "Warsaw",
    "Prague",
    "Vienna",
    "Stockholm",
    "Oslo",
    "Helsinki",
    "Istanbul",
    "Dubai",
    "Singapore",
    "Hong Kong",
    "Seoul",
    "Bangalore",
    "Mexico City",
    "Buenos Aires",
    "Chicago",
    "Austin",
    "Seattle",
    "Boston",
    "Texas",
    "California",
    "Bavaria",
    "Ontario",
    "Scotland",
    "Wales",
    "Europe",
    "Asia",
)


# More of the world's large cities, for the gazetteer only (ner_word_lists.py): the corpus draws on
# the list above, and its weights were trained on that.
_MORE_WORLD_PLACES = (
    "Los Angeles",
    "San Diego",
    "Philadelphia",
    "Houston",
    "Phoenix",
    "Dallas",
    "Denver",
    "Atlanta",
    "Miami",
    "Detroit",
    "Portland",
    "Las Vegas",
    "Washington",
    "Montreal",
    "Vancouver",
    "Melbourne",
    "Brisbane",
    "Perth",
    "Auckland",
    "Wellington",
    "Manchester",
    "Birmingham",
    "Glasgow",
    "Edinburgh",
    "Liverpool",
    "Leeds",
    "Bristol",
    "Hamburg",
    "Munich",
    "Frankfurt",
    "Cologne",
    "Zurich",
    "Geneva",
    "Brussels",
    "Rotterdam",
    "Copenhagen",
    "Lyon",
    "Marseille",
    "Naples",
    "Venice",
    "Florence",
    "Athens",
    "Budapest",
    "Bucharest",
    "Kyiv",
    "Moscow",
    "Cairo",
    "Casablanca",
    "Marrakech",
    "Accra",
    "Johannesburg",
    "Addis Ababa",
    "Riyadh",
    "Doha",
    "Tel Aviv",
    "Jerusalem",
    "Tehran",
    "Karachi",
    "Lahore",
    "Delhi",
    "New Delhi",
    "Chennai",
    "Kolkata",
    "Hyderabad",
    "Pune",
    "Dhaka",
    "Bangkok",
    "Jakarta",
    "Manila",
    "Kuala Lumpur",
    "Hanoi",
    "Ho Chi Minh City",
    "Beijing",
    "Shanghai",
    "Shenzhen",
    "Taipei",
    "Osaka",
    "Kyoto",
    "Lima",
    "Bogota",
    "Bogotá",
    "Santiago",
    "Rio de Janeiro",
    "Caracas",
    "Havana",
    "Africa",
    "North America",
    "South America",
    "Latin America",
    "Middle East",
    "Antarctica",
    "Australia",
    "Oceania",
    "Hawaii",
    "Alaska",
    "Florida",
    "Illinois",
    "Silicon Valley",
)


_LABELS_OF_FORMS = (
    "Subject",
    "Topic",
    "Summary",
    "Title",
    "Goal",
    "Status",
    "Priority",
    "Category",
    "Notes",
    "Description",
    "Deadline",
    "Audience",
    "Tone",
    "Format",
    "Keywords",
    "Main points",
    "Blog topic",
    "Section title",
    "Total",
    "Result",
)
_VERBS = (
    "Italicize",
    "Categorize",
    "Highlight",
    "Summarize",
    "Receive",
    "Review",
    "Bold",
    "Label",
    "Capitalize",
    "Rephrase",
    "Outline",
    "Classify",
    "Proofread",
    "Shorten",
    "Expand",
    "Number",
    "Bullet",
)
_BRANDS = (
    "Google",
    "Microsoft",
    "Apple",
    "Amazon",
    "Netflix",
    "Spotify",
    "Shopify",
    "Dropbox",
    "GitHub",
    "GitLab",
    "Trello",
    "Asana",
    "Canva",
    "HubSpot",
    "Mailchimp",
    "Zendesk",
    "Twilio",
    "Airtable",
    "Miro",
    "Discord",
    "Reddit",
    "TikTok",
    "Pinterest",
    "Uber",
    "Airbnb",
    "Oracle",
    "Intel",
    "Nvidia",
    "Adobe",
    "Photoshop",
    "Xero",
    "QuickBooks",
    "Squarespace",
    "Wix",
    "Heroku",
    "Vercel",
    "Netlify",
    "Cloudflare",
    "Datadog",
    "Sentry",
    "Azure",
    "Gemini",
    "ChatGPT",
    "Instagram",
    "YouTube",
    "LinkedIn",
)
_ADJECTIVES = ("great", "overrated", "fine", "too long", "brilliant", "confusing", "helpful", "boring")
_WEEKDAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def world_places() -> tuple[str, ...]:
    """Real places people mention: the corpus's list and the gazetteer's extra cities."""
    return _WORLD_PLACES + _MORE_WORLD_PLACES


def filler_words() -> tuple[str, ...]:
    """The non-personal fillers of the templates (products, brands, topics, form labels...):
    words that are no one's name when capitalised."""
    groups = (
        _OPENERS,
        _TASKS,
        _CONSTRAINTS,
        _QUESTIONS,
        _ENDINGS,
        _TECH,
        _LANGUAGES,
        _TOPICS,
        _PRODUCTS,
        _EVENTS,
        _TEAMS,
        _MONTHS,
        _WEEKDAYS,
        _LABELS_OF_FORMS,
        _VERBS,
        _BRANDS,
        _ADJECTIVES,
        _WEEKDAYS_SHORT,
    )
    return tuple(item for group in groups for item in group)


@dataclass(frozen=True)
class Sentence:
    text: str
    entities: tuple[tuple[int, int, str], ...]  # (start, end, label), character offsets


_SLOT = re.compile(r"\{(\w+)\}")


def _merged(text: str, entities: list[tuple[int, int, str]]) -> tuple[tuple[int, int, str], ...]:
    """ "{first} {last}" is one name: join same-label entities that only a space separates."""
    merged: list[tuple[int, int, str]] = []
    for start, end, label in entities:
        if merged and merged[-1][2] == label and text[merged[-1][1] : start] == " ":
            merged[-1] = (merged[-1][0], end, label)
        else:
            merged.append((start, end, label))
    return tuple(merged)


class SentenceFactory:
    """Fills templates from Faker with a fixed seed: the same seed gives the same corpus."""

    def __init__(self, seed: int) -> None:
        from faker import Faker  # training-time dependency only

        self.rng = random.Random(seed)
        self.fakers: list[Faker] = []
        for index, locale in enumerate(LOCALES):
            faker = Faker(locale)
            faker.seed_instance(seed * 1000 + index)
            self.fakers.append(faker)
        self._fillers: dict[str, Callable[[], str]] = {
            "person": self._person,
            "person2": self._person,
            "first2": lambda: self._faker().first_name(),
            "age": lambda: str(self.rng.randint(18, 90)),
            "month": lambda: self.rng.choice(_MONTHS),
            "first": lambda: self._faker().first_name(),
            "last": lambda: self._faker().last_name(),
            "last2": lambda: self._faker().last_name(),
            "title": lambda: self.rng.choice(_TITLES),
            "lower_first": lambda: self._faker().first_name().lower(),
            "lower_person": lambda: self._person().lower(),
            "city": self._place,
            "city2": self._place,
            "country": lambda: self._faker().country(),
            "region": self._region,
            "address": self._address,
            "street": lambda: self._faker().street_name(),
            "company": lambda: self._faker().company(),
            "job": lambda: self.fakers[0].job().lower(),
            "email": lambda: self._faker().email(),
            "phone": lambda: self._faker().phone_number(),
            "years": lambda: str(self.rng.randint(2, 25)),
            "year": lambda: str(self.rng.randint(1960, 2024)),
            "count": lambda: str(self.rng.randint(5, 500)),
            "number": lambda: f"{self.rng.choice(('#', 'INV-', 'PO-', ''))}{self.rng.randint(1000, 99999999)}",
            "price": lambda: f"{self.rng.randint(5, 4999)}.{self.rng.randint(0, 99):02d}",
            "version": lambda: f"{self.rng.randint(1, 12)}.{self.rng.randint(0, 20)}.{self.rng.randint(0, 9)}",
            "date": lambda: self.fakers[0].date(),
            "time": lambda: f"{self.rng.randint(7, 18)}:{self.rng.choice(('00', '15', '30', '45'))}",
            "weekday": lambda: self.rng.choice(_WEEKDAYS),
            "product": lambda: self.rng.choice(_PRODUCTS),
            "event": lambda: self.rng.choice(_EVENTS),
            "team": lambda: self.rng.choice(_TEAMS),
            "topic": lambda: self.rng.choice(_TOPICS),
            "topic2": lambda: self.rng.choice(_TOPICS),
            "opener": lambda: self.rng.choice(_OPENERS),
            "tech": lambda: self.rng.choice(_TECH),
            "tech2": lambda: self.rng.choice(_TECH),
            "amount": self._amount,
            "amount2": self._amount,
            "day_month": lambda: f"{self.rng.randint(1, 28)} {self.rng.choice(_MONTHS)}",
            "time2": lambda: f"{self.rng.randint(7, 18)}:{self.rng.choice(('00', '30'))}",
            "code": lambda: (
                f"{self.rng.randint(1, 9)}Z {self.rng.randint(100, 999)} AA{self.rng.randint(1, 9)} "
                f"{self.rng.randint(10, 99)} {self.rng.randint(1000, 9999)} {self.rng.randint(1000, 9999)}"
            ),
            "task": lambda: self.rng.choice(_TASKS),
            "task_noun": lambda: self.rng.choice(_TASKS).split(" ", 1)[1],
            "constraint": lambda: self.rng.choice(_CONSTRAINTS),
            "lower_constraint": lambda: self.rng.choice(_CONSTRAINTS).lower(),
            "question": lambda: self.rng.choice(_QUESTIONS),
            "ending": lambda: self.rng.choice(_ENDINGS),
            "language": lambda: self.rng.choice(_LANGUAGES),
            "language2": lambda: self.rng.choice(_LANGUAGES),
            "first3": lambda: self._faker().first_name(),
            "first4": lambda: self._faker().first_name(),
            "last3": lambda: self._faker().last_name(),
            "lower_city": lambda: self._place().lower(),
            "lower_city2": lambda: self._place().lower(),
            "upper_city": lambda: self._place().upper(),
            "Label": lambda: self.rng.choice(_LABELS_OF_FORMS),
            "Label2": lambda: self.rng.choice(_LABELS_OF_FORMS),
            "lower_task_noun": lambda: self.rng.choice(_TASKS).split(" ", 1)[1],
            "Verb": lambda: self.rng.choice(_VERBS),
            "brand": lambda: self.rng.choice(_BRANDS),
            "brand2": lambda: self.rng.choice(_BRANDS),
            "adjective": lambda: self.rng.choice(_ADJECTIVES),
            "Weekday_short": lambda: self.rng.choice(_WEEKDAYS_SHORT),
            **{f"Common{n}": self._common_word_capitalised for n in ("", "2", "3", "4")},
            **{f"common{n}": self._common_word for n in ("", "2")},
        }
        from faker.providers.lorem.en_US import Provider as EnglishWords

        # Everyday English words, capitalised in headings and titles: never a name on their own.
        self._common_words = tuple(word for word in EnglishWords.word_list if len(word) > 2)

    def _common_word(self) -> str:
        return self.rng.choice(self._common_words)

    def _common_word_capitalised(self) -> str:
        return self._common_word().capitalize()

    def _faker(self) -> Faker:
        return self.rng.choice(self.fakers)

    def _amount(self) -> str:
        value = f"{self.rng.randint(1, 9)} {self.rng.randint(100, 999)},{self.rng.randint(0, 99):02d}"
        if self.rng.random() < 0.5:
            value = f"{self.rng.randint(5, 9999)}.{self.rng.randint(0, 99):02d}"
        currency = self.rng.choice(_CURRENCIES)
        return f"{currency}{value}" if len(currency) == 1 else f"{value} {currency}"

    def _person(self) -> str:
        faker = self._faker()
        roll = self.rng.random()
        if roll < 0.6:
            return f"{faker.first_name()} {faker.last_name()}"
        if roll < 0.8:
            return faker.name()  # the locale's own format, with prefixes and suffixes
        return f"{faker.first_name()} {faker.first_name()[0]}. {faker.last_name()}"

    def _place(self) -> str:
        return self.rng.choice(_WORLD_PLACES) if self.rng.random() < 0.25 else self._faker().city()

    def _region(self) -> str:
        faker = self._faker()
        for provider in ("state", "administrative_unit", "region", "county"):
            if hasattr(faker, provider):
                try:
                    return str(getattr(faker, provider)())
                except AttributeError:
                    continue
        return faker.country()

    def _address(self) -> str:
        faker = self._faker()
        roll = self.rng.random()
        if roll < 0.4:
            return faker.street_address()
        separator = self.rng.choice((", ", " ", "\n"))
        if roll < 0.55:
            us = self.fakers[0]
            return f"{us.street_address()}, {us.city()}, {us.state_abbr()} {us.postcode()}"
        if roll < 0.7:
            return f"{faker.street_address()}{separator}{faker.city()}"
        return faker.address().replace("\n", separator)

    def sentence(self, template: str) -> Sentence:
        pieces: list[str] = []
        entities: list[tuple[int, int, str]] = []
        length = cursor = 0
        for slot in _SLOT.finditer(template):
            literal = template[cursor : slot.start()]
            pieces.append(literal)
            length += len(literal)
            name = slot.group(1)
            value = self._fillers[name]()
            label = _LABEL_OF_SLOT.get(name.removeprefix("lower_").removeprefix("upper_"))
            if label:
                entities.append((length, length + len(value), label))
            pieces.append(value)
            length += len(value)
            cursor = slot.end()
        pieces.append(template[cursor:])
        text = "".join(pieces)
        return Sentence(text, _merged(text, entities))


def _joined(first: Sentence, second: Sentence, separator: str) -> Sentence:
    shift = len(first.text) + len(separator)
    return Sentence(
        first.text + separator + second.text,
        first.entities + tuple((start + shift, end + shift, label) for start, end, label in second.entities),
    )


def generate(count: int, *, seed: int, negative_share: float = 0.4, joined_share: float = 0.3) -> Iterator[Sentence]:
    """``count`` texts; about ``negative_share`` hold no person, place or address, and about
    ``joined_share`` are two sentences in one text, so that entities also appear mid-prompt."""
    factory = SentenceFactory(seed)

    def one() -> Sentence:
        pool = NEGATIVE_TEMPLATES if factory.rng.random() < negative_share else TEMPLATES
        return factory.sentence(factory.rng.choice(pool))

    for _ in range(count):
        sentence = one()
        if factory.rng.random() < joined_share:
            sentence = _joined(sentence, one(), factory.rng.choice((" ", "\n", "\n\n")))
        yield sentence
