"""Which regions' numbering plans could hold a number written in a run of digit groups: a screen
read before libphonenumber is asked.

libphonenumber's matcher costs about a tenth of a millisecond per region for a candidate it
finds valid, and more for one it does not: it parses the whole candidate, then every stretch of
its groups. A ticket or order number valid in no region ("2024-000123") paid that in each
of the recognizer's regions. Whatever the matcher finds valid ends at the end of a digit group
and, once a country code, an international or a national prefix is stripped from its start, is
a national number that some region sharing the default region's country code allows: one of
that plan's lengths, fitting its general pattern (the union of its fixed, mobile and other
lines). A region none of whose plans fits any such stretch is skipped; the matcher still decides
for every other one, so the screen changes what is found in nothing, only what it costs.

Not screened (the matcher is always asked): a candidate with an international "+" (its country
code may be any) or with digits of another script, one where the region's international call
prefix starts a group ("00 44 ...", "011 ..."), and a region whose national prefix rule
rewrites the number rather than dropping its start (no default region has one today).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

# "\2": the rule keeps the number after a carrier code (Brazil), which is a stretch of the digits.
_KEEPS_A_STRETCH = re.compile(r"\\\d")


@dataclass(frozen=True)
class DigitGroups:
    """A candidate's digits, and where each of its groups starts and ends among them."""

    digits: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, candidate: str) -> DigitGroups | None:
        """None for a candidate the screen leaves to the matcher: one with an international "+",
        or with digits of another script (Arabic-Indic, fullwidth), which the plans' patterns do
        not spell."""
        if candidate.lstrip().startswith("+") or not candidate.isascii():
            return None
        starts, ends, position = [], [], 0
        runs = _RUN.findall(candidate)
        for run in runs:
            starts.append(position)
            position += len(run)
            ends.append(position)
        return cls("".join(runs), tuple(starts), tuple(ends))


_RUN = re.compile(r"[0-9]+")


class NumberingPlan:
    """The national numbers that libphonenumber's matcher, given ``region`` as the default, could
    find valid: those of every region sharing its country code (the US matcher validates
    Barbados' numbers, the Russian one Kazakhstan's)."""

    def __init__(self, region: str) -> None:
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            raise ValueError(f"libphonenumber has no numbering plan for region {region!r}")
        self.region = region
        self._international_prefix = re.compile(metadata.international_prefix or "(?!)")
        rule = metadata.national_prefix_transform_rule
        self.screened = rule is None or _KEEPS_A_STRETCH.fullmatch(rule) is not None
        patterns: dict[int, list[str]] = defaultdict(list)
        for sharing in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code or 0, (region,)):
            plan = PhoneMetadata.metadata_for_region(sharing)
            general = None if plan is None else plan.general_desc
            if general is None or general.national_number_pattern is None:
                continue
            for length in general.possible_length or ():
                patterns[length].append(general.national_number_pattern)
        # One alternation per length: a stretch of digits is tried once for each length.
        self._by_length = {
            length: re.compile("|".join(f"(?:{pattern})" for pattern in found)) for length, found in patterns.items()
        }

    def could_hold(self, groups: DigitGroups | None) -> bool:
        """Whether some stretch of ``groups`` ending at a group's end could be a valid national
        number of this plan (or the candidate is one the screen leaves to the matcher: None)."""
        if groups is None or not self.screened:
            return True
        digits = groups.digits
        if any(self._international_prefix.match(digits, start) for start in groups.starts):
            return True
        return any(
            length <= end and pattern.fullmatch(digits, end - length, end)
            for end in groups.ends
            for length, pattern in self._by_length.items()
        )
