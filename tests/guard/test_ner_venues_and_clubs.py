"""Restaurants named after someone, sports clubs named after their town, dishes named after a
place and brands of the world are not masked; the people and places beside them, and those shaped
like them, still are."""

from __future__ import annotations

import pytest

from bot.guard import Guard


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("Lunch is from Franklin Barbecue, thanks Ben.", "Franklin Barbecue"),
        ("Team dinner at Marco's Trattoria on Friday.", "Marco's Trattoria"),
        ("Sides from Rudy's Smokehouse and drinks from Jenny Creamery.", "Rudy's Smokehouse"),
        ("Sides from Rudy's Smokehouse and drinks from Jenny Creamery.", "Jenny Creamery"),
        ("We ordered from Paradise Biryani for the team.", "Paradise Biryani"),
        ("Lunch at Ichiran Ramen on Thursday.", "Ichiran Ramen"),
        # Brands of the world no name or place list holds.
        ("Draft a post: we moved payroll to Deel and expenses to Expensify.", "Deel"),
        ("Summarise why the team chose Ahrefs over the old SEO tool.", "Ahrefs"),
        ("Write a LinkedIn post about our launch on Hepsiburada and Rozetka.", "Rozetka"),
        ("Cena cliente (2 persone) Trattoria Da Enzo, 212,00 EUR.", "Da Enzo"),
        ("Book two nights at Hotel Adlon and Café Central for breakfast.", "Hotel Adlon"),
        ("Draft a review of Gasthaus Krone for the team blog.", "Krone"),
        ("Watch party: Real Madrid vs Borussia Dortmund tonight in the lounge.", "Borussia Dortmund"),
        ("Una invitación para la final: Boca Juniors contra Flamengo, habrá empanadas.", "Flamengo"),
        ("We are going to the Spartak Moscow game on Friday.", "Spartak Moscow"),
        ("Sporting Lisbon signed a new striker.", "Sporting Lisbon"),
        ("Atlético de Madrid won again.", "Atlético de Madrid"),
        ("AFC Richmond jerseys for everyone.", "AFC Richmond"),
        ("Tickets for FC Porto vs AC Milan.", "AC Milan"),
        ("Dessert is Mississippi mud pie.", "Mississippi"),
        ("Bring a Texas sheet cake to the party.", "Texas"),
        ("A newsletter intro about our breakfast at the Grace Hopper Celebration.", "Grace Hopper"),
        ("Stand photos from the Hannover Messe, please.", "Hannover"),
    ],
)
def test_a_venue_club_or_dish_is_not_masked(guard: Guard, text: str, thing: str) -> None:
    assert thing in guard.check_prompt(text).masked_text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # The person beside the venue is still masked.
        ("Lunch is from Franklin Barbecue, thanks Ben.", "Ben"),
        ("Book two nights at Hotel Adlon for Priya.", "Priya"),
        # A venue's word in lower case opens no name.
        ("Ask whether the hotel Anna booked has parking.", "Anna"),
        # A club's opening word before a person, or in lower case, makes no club.
        ("Real Anna Schmidt is here.", "Anna Schmidt"),
        ("We flew to Porto with the AC on.", "Porto"),
        ("We moved to Madrid, real fast, with Olga.", "Olga"),
        # Two sides of a match neither of which is a club by its name are people or places.
        ("Smith vs Jones is the case name, ask Anna.", "Jones"),
        ("Draft a post: Paris vs London, which office has better coffee?", "London"),
        # A dish's noun after a person's names is a surname.
        ("Dinner with Stephen Curry tonight.", "Stephen Curry"),
        ("Dinner with Anna Curry tonight.", "Anna Curry"),
        # A person before a dish past one word is the person; a place is a place without a dish.
        ("Send Priya apple pie.", "Priya"),
        ("We moved to Mississippi last year.", "Mississippi"),
        # A brand before a lower-case word and a name says whose the thing is. "Bild" is a German
        # newspaper and the German for a picture: "a picture of Lara" is Lara's.
        ("Bild von Lara, bitte als Foto: Lara Brenner kennzeichnen.", "Lara"),
        ("Segue o canal Twitch de Lucas para o evento.", "Lucas"),
    ],
)
def test_names_beside_or_shaped_like_them_stay_masked(guard: Guard, text: str, name: str) -> None:
    assert name not in guard.check_prompt(text).masked_text
