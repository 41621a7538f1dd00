"""Write the demo project file (customner/demo/project.json) from templates, deterministically.

Cased English with punctuation, four entity types, Train/Test assigned by hand (manual split).
Run: python scripts/make_demo_data.py
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

RESTAURANTS = ["Government", "The Blue Door", "Casa Lupita", "Golden Dragon", "Chez Marie", "Trattoria Roma",
               "Sakura House", "The Copper Pot", "Bistro Verde", "Mama's Kitchen", "Le Petit Zinc", "Spice Route",
               "The Oyster Bar", "Noodle Republic", "Harbor Grill", "Café Lumière"]
ARTISTS = ["David Schmidt", "Nina Simone", "Miles Davis", "Adele", "Bob Marley", "Ella Fitzgerald", "Johnny Cash",
           "Aretha Franklin", "Frank Ocean", "Björk", "Louis Armstrong", "Carole King", "Stevie Wonder",
           "Joni Mitchell", "Ray Charles", "Billie Holiday"]
CITIES = ["Paris", "Seattle", "Lisbon", "Chicago", "Madrid", "Boston", "Berlin", "Austin", "Dublin", "Denver",
          "Kyoto", "Oslo", "Toronto", "Naples", "Portland", "Vienna"]
DATES = ["Friday", "next Monday", "March 3rd", "tomorrow night", "Saturday evening", "June 12", "this weekend",
         "New Year's Eve", "Sunday", "October 5th", "tonight", "next Tuesday"]
TEMPLATES = [
    "Book a table for two at {restaurant_name} in {city} on {date}.",
    "Play something by {artist} while we drive to {restaurant_name}.",
    "Is {restaurant_name} in {city} open on {date}?",
    "{artist} is performing at {restaurant_name} on {date}.",
    "I loved the concert by {artist} in {city} last year!",
    "Can you reserve {restaurant_name} for {date}? We'll be in {city}.",
    "Put on the new album from {artist}, please.",
    "We're flying to {city} on {date} to see {artist}.",
    "Does {restaurant_name} take walk-ins? Asking for {date}.",
    "Find tickets for {artist} in {city}.",
    "My friends recommended {restaurant_name}; is it far from downtown {city}?",
    "Queue three songs by {artist} and one by {artist2}.",
]


def fill(template: str, rng: random.Random) -> tuple[str, list[dict[str, object]]]:
    text, labels = "", []
    for piece in re.split(r"(\{[a-z_0-9]+\})", template):
        match = re.fullmatch(r"\{([a-z_]+?)2?\}", piece)
        if not match:
            text += piece
            continue
        category = match.group(1)
        pool = {"restaurant_name": RESTAURANTS, "artist": ARTISTS, "city": CITIES, "date": DATES}[category]
        value = rng.choice(pool)
        utf16_offset = len(text.encode("utf-16-le")) // 2
        labels.append({"category": category, "offset": utf16_offset, "length": len(value.encode("utf-16-le")) // 2})
        text += value
    return text, labels


def main() -> None:
    rng = random.Random(7)
    documents = []
    for index in range(72):
        template = TEMPLATES[index % len(TEMPLATES)]
        text, labels = fill(template, rng)
        utf16_length = len(text.encode("utf-16-le")) // 2
        documents.append({
            "location": f"demo_{index + 1:03d}.txt", "language": "en-us",
            "dataset": "Test" if index % 6 == 5 else "Train",
            "entities": [{"regionOffset": 0, "regionLength": utf16_length, "labels": labels}],
            "text": text,
        })
    project = {
        "projectFileVersion": "2022-05-01", "stringIndexType": "Utf16CodeUnit",
        "metadata": {"projectKind": "CustomEntityRecognition", "storageInputContainerName": "demo",
                     "projectName": "MyProject", "multilingual": False,
                     "description": "customner demo: restaurants, artists, cities and dates", "language": "en-us",
                     "settings": {}},
        "assets": {"projectKind": "CustomEntityRecognition",
                   "entities": [{"category": c} for c in ("restaurant_name", "artist", "city", "date")],
                   "documents": documents},
    }
    out = Path(__file__).resolve().parent.parent / "customner" / "demo" / "project.json"
    out.write_text(json.dumps(project, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(documents)} documents)")


if __name__ == "__main__":
    main()
