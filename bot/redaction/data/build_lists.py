"""Build the name and word lists redaction reads (run by hand; the lists are kept in git).

Sources, both public:
- first names and surnames: the `names-dataset` package (3.3.1), the most common
  names in the United Kingdom and in the countries many British families come from;
- English words: Debian's `wbritish` word list (/usr/share/dict/british-english)
  and the `wordfreq` package's most frequent English words.

    pip install names-dataset==3.3.1 wordfreq==3.1.1   # in a scratch virtualenv
    apt-get install wbritish
    python bot/redaction/data/build_lists.py

Writes, lowercase, one per line, sorted:
- first_names.txt: names that are not English words ("freya", "oluwaseun");
- first_names_also_words.txt: names that are ("will", "grace", "summer"), only
  taken for a name with something around them that says so; only names common in
  the United Kingdom, or not among the 1,000 most frequent English words ("the",
  "said" are first names somewhere, but not here);
- surnames.txt: surnames that are not English words ("okafor", "jones");
- surnames_also_words.txt: common British surnames that are ("smith", "brown");
- common_words.txt: the 30,000 most frequent English words;
- everyday_words.txt: the 3,000 most frequent.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The United Kingdom first, then countries of the larger communities in Britain.
COUNTRIES = (
    "GB IE US AU CA PK IN BD NG GH KE ZA SO ET EG MA DZ TR IR IQ SA PL LT LV RO BG CZ HU "
    "FR DE ES PT IT GR NL BE SE NO DK FI CN HK PH MY JM AF SY SD AL"
).split()
GB_FIRST = 8000
GB_LAST = 15000
ELSEWHERE = 1000
# A name that is also a capitalised dictionary entry (a place, a day: "Lucas" and
# "Chester" both) is kept only when it is this common as a first name in the United
# Kingdom, or among the ELSEWHERE most common in one of the countries.
GB_RANK_FOR_PROPER_NOUNS = 3000
BEYOND = 10**9
# The most frequent English words ("the", "is", "said"): never a name from another
# country's list.
EVERYDAY = 1000
GB_SURNAMES_ALSO_WORDS = 2000
NAME = re.compile(r"[A-Z][a-zà-öø-ÿ]+(?:[-'][A-Z]?[a-zà-öø-ÿ]+)?")


def _limits(gb: int = GB_FIRST) -> list[tuple[str, int]]:
    return [("GB", gb)] + [(country, ELSEWHERE) for country in COUNTRIES[1:]]


def main() -> None:
    import wordfreq
    from names_dataset import NameDataset

    dictionary = [w.strip() for w in Path("/usr/share/dict/british-english").open()]
    words = {w for w in dictionary if w and w[0].islower()}
    proper = {w.lower() for w in dictionary if w and w[0].isupper()}
    dataset = NameDataset()
    gb_rank: dict[str, int] = {}
    best: dict[str, int] = {}  # a name's best rank in any of the countries
    first: set[str] = set()
    for name, about in dataset.first_names.items():
        ranks = about.get("rank") or {}
        if ranks.get("GB", GB_FIRST + 1) <= GB_FIRST:
            gb_rank[name.lower()] = min(ranks["GB"], gb_rank.get(name.lower(), GB_FIRST))
        if any(ranks.get(country, BEYOND) <= limit for country, limit in _limits()):
            first.add(name)
            best[name.lower()] = min(
                min(ranks.get(country, BEYOND) for country in COUNTRIES),
                best.get(name.lower(), BEYOND),
            )
    gb_last_rank: dict[str, int] = {}
    last: set[str] = set()
    for name, about in dataset.last_names.items():
        ranks = about.get("rank") or {}
        if ranks.get("GB", GB_LAST + 1) <= GB_LAST:
            gb_last_rank[name.lower()] = ranks["GB"]
        if any(ranks.get(country, BEYOND) <= limit for country, limit in _limits(GB_LAST)):
            last.add(name)
    first = {n.lower() for n in first if NAME.fullmatch(n)}
    last = {n.lower() for n in last if NAME.fullmatch(n)}
    first = {
        n
        for n in first
        if n in words
        or n not in proper
        or gb_rank.get(n, BEYOND) < GB_RANK_FOR_PROPER_NOUNS
        or best.get(n, BEYOND) <= ELSEWHERE
    }
    common = wordfreq.top_n_list("en", 30000)
    everyday = set(common[:EVERYDAY])
    lists = {
        "first_names.txt": {n for n in first if n not in words and len(n) > 2},
        "first_names_also_words.txt": {
            n
            for n in first
            if (n in words or len(n) <= 2) and (n in gb_rank or (n not in everyday and len(n) > 2))
        },
        "surnames.txt": {n for n in last if n not in words and n not in everyday and len(n) > 2},
        "surnames_also_words.txt": {
            n
            for n in last
            if n in words
            and gb_last_rank.get(n, GB_LAST) < GB_SURNAMES_ALSO_WORDS
            and n not in everyday
        },
        "common_words.txt": {w for w in common if re.fullmatch(r"[a-z][a-z'-]*", w)},
        "everyday_words.txt": {w for w in common[:3000] if re.fullmatch(r"[a-z][a-z'-]*", w)},
    }
    for file, items in lists.items():
        (HERE / file).write_text("".join(f"{item}\n" for item in sorted(items)), encoding="utf-8")
        print(f"{file}: {len(items)}")


if __name__ == "__main__":
    main()
