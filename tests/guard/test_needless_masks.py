"""Products, firms, events, eponyms and foreign openers are not masked; a real name or place in
the same shape still is."""

from __future__ import annotations

import pytest

from bot.guard import Guard


@pytest.mark.parametrize(
    "text",
    [
        # A model or service after its maker, or a brand before a product noun.
        "Is a Toyota Corolla cheaper to insure than a hatchback?",
        "My Arduino Uno resets when the motor starts.",
        "Is a Dell laptop fine for video editing?",
        "My Verizon bill went up again this month.",
        "Should I buy Bose headphones for the gym?",
        # A name before a capitalised plural names a team; organisation words and conventions.
        "Did the Denver Nuggets win last night?",
        "Your first class at Brooklyn Yoga Collective is free.",
        "Explain the Geneva Conventions to a student.",
        "Compare a Chevrolet Camaro with a hatchback.",
        # Names joined by "&" name a firm.
        "Your parcel from Harlow & Finch is on its way.",
        # A run of capitalised words ending in a holiday, prize, plan, breed or edition.
        "Plan a bake sale for Martin Luther King Day.",
        "Write a card for Valentine's Day.",
        "Suggest a name for our Golden Retriever puppy.",
        "Is the Lumina Pro worth the upgrade?",
        "The council approved the Oakridge Development Plan.",
        "Describe the Ming Dynasty in five lines.",
        # Eponyms: a possessive before a result, a capitalised law, a lower-case result noun.
        "Explain Boyle's Law with a balloon.",
        "Draw Pascal's triangle up to the sixth row.",
        "Describe Maslow's hierarchy of needs for a manager.",
        "Explain Newton's third law with a skateboard.",
        "Write an article intro on Kepler's three laws of planetary motion.",
        "How do Markov chains model the weather?",
        "How is an Elo rating computed?",
        "Why is the Turing test controversial?",
        "How does the Hubble telescope stay in orbit?",
        "How does a Geiger counter work?",
        "Solve a Rubik's cube in twenty moves.",
        "Why does my story feel Kafkaesque?",
        "Explain Solidity smart contracts on Ethereum.",
        # Foods named after a person or a town.
        "What goes on a Margherita pizza?",
        "Mix a Bloody Mary cocktail for two.",
        "Whisk 1 Tbsp Dijon mustard into the dressing.",
        # A word no list knows before a number labels an item.
        "* Kapitola 1\n* Kapitola 2",
        # Treaties, crises, trials and parties named after a place or a person.
        "What did the Kyoto Protocol require of rich countries?",
        "Summarize the Cuban Missile Crisis in a paragraph.",
        "Who stood in the Nuremberg trials?",
        "Who leads the Labour Party now?",
        # Events named after a place, peoples, the Moon.
        "Summarise the Treaty of Versailles for a class.",
        "What was the Battle of Hastings about?",
        "How did the Aztecs build their temples?",
        "Who first walked on the Moon?",
        # A name used as a style, a work before "by" and its author (who stays masked, below).
        "Write a Tarantino-style dialogue between two cooks.",
        "Plan a Harry Potter themed birthday for ten kids.",
        # Languages code is rewritten from and into.
        "Convert this code from Java to Kotlin.",
        # A verb opening a sentence before "the" or "your", a quoted title in title case.
        "Chase the Dream: A Guide to Changing Careers",
        'Write a story titled "The Lost City of Amber".',
        # A role or a piece after "the" or "a", before a verb or nothing.
        "Write a fable where the Knight rescues the Prince.",
        "In chess, how strong is a Bishop?",
        # Gods, myths, fiction, feasts and faiths: no one's name.
        "Write a poem where Athena argues with Poseidon about the sea.",
        "Tell a story about Loki tricking Odin at a feast.",
        "Role-play as Sherlock Holmes solving the case of the missing cookie.",
        "Write a bedtime story where Peter Rabbit meets a hedgehog.",
        "Pretend to be Santa Claus replying to a letter about a bike.",
        "Dress up as Wednesday Addams for the costume party.",
        "You are Gandalf. Give the team a pep talk before launch.",
        "Plan a Holi celebration for the office.",
        "Compare the five pillars of Islam with the Ten Commandments.",
        "Summarize the story of Noah's Ark for children.",
        "Write a review of the album Rumours by Fleetwood Mac.",
        "Explain the parable of the Good Samaritan.",
        "Describe the Garden of Eden story for a class.",
        "Plan a Cinco de Mayo lunch for the team.",
        "What is Ruby on Rails ActiveRecord?",
        "Compare Moby-Dick with a modern thriller.",
        "Tell me about Hanuman and the Ramayana.",
        # A heading whose words a place's name holds, a class named after its sport.
        "Topic Overview\nKey Findings",
        "New classes: HIIT Blast, Power Yoga and Lunchtime Pilates.",
        "Summarize the history of the Boston Red Sox.",
        "Write a story in which Little Red Riding Hood becomes a detective.",
        "Write a message for Rosh Hashanah to our colleagues.",
        "What was the significance of the Rosetta Stone?",
        "Explain the Miranda rights and the Doppler shift.",
        "Write a story where Cinderella starts a shoe company.",
        "What is Lent and why is it observed?",
        "Recommend bands similar to Arctic Monkeys.",
        "How is the Tour de France yellow jersey decided?",
        "Explain the Dow Jones Industrial Average.",
        "What is Hashimoto's thyroiditis?",
        "Give me a recipe for Shepherd's Pie.",
        "How do I use Jenkins shared libraries?",
        "What makes the Goldberg Variations special?",
        "How do I make Yorkshire puddings rise?",
        "What are the early signs of Alzheimer's?",
        "What causes Raynaud's phenomenon?",
        "Is a Schwab brokerage account good for beginners?",
        "Write a review of the Hilton Honors program.",
        "How do I make Bananas Foster and a Victoria sponge?",
        "What is Epstein-Barr virus?",
        "Write a review of IKEA's Billy bookcase.",
        "Write a review of the Stanley Quencher tumbler.",
        "What is the Kentucky Derby?",
        "Who are the best goalkeepers in Serie A?",
        "What is the story of Romulus and Remus?",
        # Two everyday words written as one: a compound or a brand.
        "Pack Trekking Poles, a Headlamp and a First Aid Kit.",
        "What are the best songs by Radiohead for a beginner?",
        # A chain in the possessive, a product, a service, a team after its town, a venue.
        "We grabbed lunch at McDonald's after the match.",
        "Review the Kindle Paperwhite for a commuter.",
        "Compare Netflix and HBO Max on price.",
        "Why are the New York Yankees so popular?",
        "What makes the Tour de France so hard?",
        "Is a Roth IRA better than a 401k?",
        "What is Apache Airflow used for?",
        "The workshop is in the Oak Room on Thursday.",
        "Christmas Eve Mass starts at 10pm.",
        # Products, apps and firms no list knows, by the phrase around them: a firm's belonging
        # after its possessive, a product beside it, a number after it, a question asking what
        # it is, the words only software follows before it.
        "Write a press release for Corvana's new payroll feature.",
        "Write a post on Korvana's new API.",
        "Move the notes from Korvana to OneNote.",
        "Compare Todoist and Sunsama for a freelancer.",
        "Neuer Versandtermin KW 44. Sendungsnummern folgen per DHL.",
        "What is Hygge?",
        "Define Ikigai.",
        "How can I speed up builds in Bazelo?",
        # A short capitalised part of a compound, a region's people before a dish.
        "Make a Lo-fi playlist for studying.",
        "Describe a Basque cheesecake.",
        # The verbs that open requests in other languages.
        "Объясни, как работает Интернет.",
        "Erkläre mir bitte die Photosynthese.",
        # A limit's short form before its figure, a convention of style named after a place.
        "Shared views: Max 25 saved views per user, Min. 3 per team.",
        "Forget the Oxford comma unless leaving it out makes the sentence unclear.",
        "Cite the sources with Harvard referencing.",
        # A kind of business before its owner's name, and the words after one that make a firm.
        "Écris une annonce pour la Boulangerie Marchand, ouverte le dimanche.",
        "Scrivi un post per la Pasticceria Bianchi con le nuove torte.",
        "Schreib einen Flyer für die Tischlerei Brandl.",
        "Redacta un correo para Talleres Domínguez sobre la factura.",
        "Schreib eine Danksagung an Hoffmann Druck für die Flyer.",
        # A meeting room named after a person or place, brands listed before the noun they share,
        # and a firm where someone works or studies.
        "Book the Turing meeting room for Tuesday.",
        "Send me the Dior and Armani proposals.",
        "List what the analysts at Nomura said about the market.",
        "Congratulate the team at Bertelsmann on the launch.",
        "My cousin did an MBA at INSEAD.",
        # Firms named after two people, or one person's whole name, read whole.
        "Thank the Morgan Stanley team for the dinner.",
        "Our Tommy Hilfiger order is late.",
    ],
)
def test_things_named_like_people_or_places_are_not_masked(guard: Guard, text: str) -> None:
    assert guard.check_prompt(text).masked_text == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A person in the same shape as each rule above.
        ("Is Tomasz Nowak's laptop still at the office?", "Tomasz Nowak"),
        ("Send the Harlow report to Priya Sharma and Dan.", "Priya Sharma"),
        ("Plan a party for Priya Sharma on Friday.", "Priya Sharma"),
        ("Ask Priya Sharma about the Oakridge Development Plan.", "Priya Sharma"),
        ("Priya's test results came back today.", "Priya"),
        ("Priya's first draft came back today.", "Priya"),
        ("Is Avogadro's number the same in Lisbon?", "Lisbon"),
        ("Walk Tomasz Nowak through the Treaty of Versailles.", "Tomasz Nowak"),
        ("Book a trip to Lisbon after the Battle of Hastings reenactment.", "Lisbon"),
        ("Pick up the cake for Jonas from the bakery.", "Jonas"),
        ("Plan a birthday party for Priya Sharma in Lisbon.", "Priya Sharma"),
        ("Summarize Dracula by Bram Stoker in a paragraph.", "Bram Stoker"),
        ("Ask Maria by Friday about the budget.", "Maria"),
        ("Объясни Ольге, как работает Интернет.", "Ольге"),
        ("Chase said the dream job was gone.", "Chase"),
        ("We visited Niagara Falls with Tomasz Nowak.", "Niagara Falls"),
        ("Did Tom Hanks narrate that documentary?", "Tom Hanks"),
        ("Send Priya code samples for the review.", "Priya"),
        ("Call Priya 0612 345 678 about the order.", "Priya"),
        ("Forward the Knight report to Priya.", "Knight"),
        ("Our office moved to the Netherlands.", "Netherlands"),
        ("Dan moved to the United States last year.", "United States"),
        ('Write a biography of a person named "Amber Okafor".', "Amber Okafor"),
        ("Write a poem for Athena Rodriguez about the sea.", "Rodriguez"),
        ("Thanks,\nMark Green", "Mark Green"),
        ("Write a review of Priya's Billy Okafor interview.", "Billy Okafor"),
        ("Give Stanley Okafor the tumbler from the kitchen.", "Stanley Okafor"),
        ("Send the invoice to 200 Main Street, Suite 4, for Priya Sharma.", "Priya Sharma"),
        ("The blue folder is Tomasz Nowak's.", "Tomasz Nowak"),
        ("Recommend gifts similar to Priya Sharma's.", "Priya Sharma"),
        ("What is Hashimoto's new address?", "Hashimoto"),
        ("Dan Shepherd's pie won the contest.", "Dan Shepherd"),
        ("How do I ask Maria Jenkins for the shared files?", "Maria Jenkins"),
        ("Explain the rights of Miranda Okafor as a tenant.", "Miranda Okafor"),
        ("Write a story in which Priya Hood becomes a detective.", "Priya Hood"),
        ("What are the best songs by Thirumurthi for a beginner?", "Thirumurthi"),
        ("We drove to Green Bay on Sunday.", "Green Bay"),
        ("Yoga with Grace Okafor resumes Monday.", "Grace Okafor"),
        ("Role-play as Priya Holmes solving the case of the missing cookie.", "Priya Holmes"),
        ("Write a bedtime story where Peter Sandoval meets a hedgehog.", "Peter Sandoval"),
        ("Take a photo of Priya Sharma with a Rabbit costume.", "Priya Sharma"),
        ("Jim McDonald's car is blocking the gate.", "Jim McDonald"),
        ("Ask Tomasz Nowak about the Oakridge Room booking.", "Tomasz Nowak"),
        ("Christmas Eve with Priya Sharma starts at 10pm.", "Priya Sharma"),
        # Surnames no list knows, in the shapes that make a product of an unknown word.
        ("Ask Okonkwo to install the printer driver.", "Okonkwo"),
        ("Our developer Okonkwo will review the pull request.", "Okonkwo"),
        ("What is Okonkwo's email address?", "Okonkwo"),
        ("Email Thirumurthi the deployment guide.", "Thirumurthi"),
        ("Invite Okonkwo and Priya to the Vexly launch.", "Okonkwo"),
        ("Find a job in Ventura that suits a designer.", "Ventura"),
        ("Thanks, Tom - please send the signed PDF.", "Tom"),
        ("Max and Min went to the zoo with 3 friends.", "Min"),
        ("Max, 25, from Leeds, joined the team.", "Max"),
        ("She studied at Oxford before the move.", "Oxford"),
        ("Say hi to the team at Maria's.", "Maria"),
        ("Book Priya and Tomasz rooms at the hotel.", "Tomasz"),
        ("The Smith and Okafor families are joining the picnic.", "Okafor"),
        ("Write to Stanley Morgan about the rota.", "Stanley Morgan"),
    ],
)
def test_names_in_the_same_shape_are_still_masked(guard: Guard, text: str, name: str) -> None:
    # Masks alone: the injection verdict on these prompts is test_learned.py's (one of them is a
    # known false positive there).
    masked = guard.mask(text)

    assert name not in masked.text
    assert name in masked.mapping.values()


def test_the_verb_after_a_name_stays_outside_the_mask(guard: Guard) -> None:
    prompt = guard.check_prompt("Tell me why the United States being so large matters.")

    assert "being" in prompt.masked_text
    assert "United States" in prompt.mapping.values()


def test_a_work_before_its_author_is_not_masked(guard: Guard) -> None:
    prompt = guard.check_prompt("Summarize Dracula by Bram Stoker in a paragraph.")

    assert prompt.masked_text.startswith("Summarize Dracula by ")


def test_a_name_dashed_to_a_role_before_a_number_is_still_masked(guard: Guard) -> None:
    prompt = guard.check_prompt("Corentin Abadie — Technicien SAV. 7 ans chez Garonne.")

    assert "Corentin Abadie" not in prompt.masked_text


@pytest.mark.parametrize(
    ("text", "thing", "name"),
    [
        # A product noun after it, a determiner before it, a verb after "the" and it.
        ("Give Hendrik access to the Okta dashboard.", "Okta", "Hendrik"),
        ("Ask Tobias whether the Zenbook arrived in Uppsala.", "Zenbook", "Uppsala"),
        ("Tell Dmitri the Vexora 3 release is late.", "Vexora", "Dmitri"),
        ("Write a short thank-you to Aurelie for the Tiramisu.", "Tiramisu", "Aurelie"),
        # A brand written like a name, a quoted work after the kind of work it is.
        ("Ask Priya whether the Sonos order arrived.", "Sonos", "Priya"),
        ('I love the song "Vienna" by Billy Joel.', "Vienna", "Billy Joel"),
        # A signature: the firm after the job title and a comma.
        ("Thanks,\nDaniela Rossi\nRelease Manager, Brightside Apps", "Brightside Apps", "Daniela Rossi"),
    ],
)
def test_a_thing_beside_a_name_is_left_and_the_name_masked(guard: Guard, text: str, thing: str, name: str) -> None:
    prompt = guard.check_prompt(text)

    assert thing in prompt.masked_text
    assert name in prompt.mapping.values()


def test_the_verb_tagged_with_a_name_stays_outside_the_mask(guard: Guard) -> None:
    prompt = guard.check_prompt("Join Dr. Elena Vasquez for a webinar on sleep.")

    assert prompt.masked_text.startswith("Join ")
    assert "Elena Vasquez" in "".join(prompt.mapping.values())


@pytest.mark.parametrize(
    "text",
    [
        "Shopify用のキャンドルの商品ページを作って、香りの説明を入れてください。",
        "Amazon向けの新しいイヤホンの商品説明文を書いてください。",
        "Notion里的会议记录帮我整理成一封邮件。",
        "Instagram के लिए हमारे नए कैफ़े का परिचय लिखो।",
    ],
)
def test_the_name_model_does_not_run_on_into_a_script_it_never_read(guard: Guard, text: str) -> None:
    assert guard.check_prompt(text).masked_text == text


def test_a_latin_name_before_words_of_an_unread_script_is_still_masked(guard: Guard) -> None:
    prompt = guard.check_prompt("Write to Priya Sharma about the launch; 日本語の要約も付けてください。")

    assert "Priya Sharma" in prompt.mapping.values()


def test_the_opening_verb_of_a_request_in_another_language_stays_outside_the_mask(guard: Guard) -> None:
    # The model tags the sentence from its first word to the town at its end.
    prompt = guard.check_prompt(
        "Buatkan daftar sepuluh nama untuk kedai kopi kecil di Yogyakarta yang menjual Es Kopi Susu Gula Aren."
    )

    assert prompt.masked_text.startswith("Buatkan daftar sepuluh nama untuk kedai kopi kecil ")
    assert any("Yogyakarta" in value for value in prompt.mapping.values())


@pytest.mark.parametrize(
    ("text", "kept", "name"),
    [
        (
            "We met at a Bruce Springsteen concert at Giants Stadium in New Jersey in 2008.",
            "at a <PERSON_1> concert",
            "Bruce Springsteen",
        ),
        ("The review is with Unilever at their Rotterdam HQ on Monday.", "at their ", "Rotterdam"),
    ],
)
def test_an_address_without_a_number_or_a_street_is_trimmed_as_a_name(
    guard: Guard, text: str, kept: str, name: str
) -> None:
    # The model calls the name and the words around it an address.
    prompt = guard.check_prompt(text)

    assert kept in prompt.masked_text
    assert any(name in value for value in prompt.mapping.values())


def test_an_address_with_a_street_and_no_number_stays_an_address(guard: Guard) -> None:
    prompt = guard.check_prompt("Deliver to Rose Cottage, Mill Lane, Ashford, Kent.")

    assert "ADDRESS" in prompt.masked_text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ask Ludwig van Beethoven's biographer about it.", "Ludwig van Beethoven"),
        ("Lucas dos Santos and Maria de la Cruz signed the lease.", "Lucas dos Santos"),
        # An unknown surname opening a sentence, then a particle: the name goes on.
        ("Abadie de Souza called about the invoice.", "Abadie de Souza"),
    ],
)
def test_particles_before_a_capitalised_word_stay_in_the_name(guard: Guard, text: str, name: str) -> None:
    assert name in guard.check_prompt(text).mapping.values()
