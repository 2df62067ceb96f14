"""Handling markings: the Traffic Light Protocol 2.0 labels (FIRST), their colours and meaning.

Any other marking (an agency's own caveat) is printed as given, black on white.
"""

from __future__ import annotations

# label → (text colour, background) as FIRST's TLP 2.0 standard prints them: coloured text on black
_COLOURS = {"TLP:RED": ("#FF2B2B", "#000000"), "TLP:AMBER+STRICT": ("#FFC000", "#000000"),
            "TLP:AMBER": ("#FFC000", "#000000"), "TLP:GREEN": ("#33FF00", "#000000"),
            "TLP:CLEAR": ("#FFFFFF", "#000000")}
_DEFINITIONS = {
    "TLP:RED": "for the eyes and ears of individual recipients only, no further disclosure.",
    "TLP:AMBER+STRICT": "limited disclosure, recipients can only spread this on a need-to-know basis within "
                        "their organisation.",
    "TLP:AMBER": "limited disclosure, recipients can only spread this on a need-to-know basis within their "
                 "organisation and its clients.",
    "TLP:GREEN": "limited disclosure, recipients can spread this within their community.",
    "TLP:CLEAR": "recipients can spread this to the world, there is no limit on disclosure.",
}


def marking_colours(marking: str) -> tuple[str, str]:
    """(text colour, background colour) for the marking's label."""
    return _COLOURS.get(marking.strip().upper(), ("#000000", "#FFFFFF"))


def marking_definition(marking: str) -> str:
    """What the marking allows (TLP 2.0 wording); for another marking, a reminder to follow it."""
    return _DEFINITIONS.get(marking.strip().upper(), "handle according to this marking.")
