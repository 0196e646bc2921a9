"""Words of a profile for matching: folded (lower case, no accents), stop words of French and
English left out, each reduced to its stem by the Snowball stemmer of the text's language
(French or English, told by the stop words it uses), so that "lasers"/"laser" and
"navale"/"naval" meet."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

FRENCH_STOP = frozenset(
    (
        "a", "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle",
        "en", "est", "et", "eux", "il", "ils", "je", "la", "le", "les", "leur", "leurs", "lui",
        "ma", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou",
        "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te",
        "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "d", "l", "j", "s",
        "n", "m", "c", "qu", "sont", "etre", "avoir", "plus", "tres", "aussi", "comme", "tout",
        "tous", "toute", "toutes", "nous", "notre", "ainsi", "entre", "vers", "chez", "sans",
        "sous", "depuis", "lors", "afin", "dont", "ici", "cela", "celle", "celui", "ceux", "celles",
        "autre", "autres", "bien", "fait", "faire", "peut", "nos", "offre", "offrons", "cherchons",
        "recherchons", "besoin", "besoins"
    )
)
ENGLISH_STOP = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
        "it", "its", "of", "on", "or", "our", "that", "the", "their", "them", "they", "this", "to",
        "we", "with", "you", "your", "will", "can", "into", "over", "under", "also", "more", "most",
        "very", "all", "any", "each", "which", "who", "whom", "whose", "what", "when", "where",
        "how", "not", "no", "nor", "only", "own", "same", "so", "than", "too", "just", "about",
        "offer", "offers", "seek", "seeking", "look", "looking", "need", "needs"
    )
)
STOP = FRENCH_STOP | ENGLISH_STOP
WORD = re.compile(r"[a-z0-9]+")


def folded(text: str) -> str:
    """Lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text, but stop words, numbers and single letters."""
    return [
        w for w in WORD.findall(folded(text)) if len(w) > 1 and w not in STOP and not w.isdigit()
    ]


def language_of(text: str) -> str:
    """"fr" or "en": whichever language's stop words the text uses more (French on a tie)."""
    found = WORD.findall(folded(text))
    french = sum(w in FRENCH_STOP for w in found)
    english = sum(w in ENGLISH_STOP for w in found)
    return "en" if english > french else "fr"


@lru_cache(maxsize=2)
def _stemmer(language: str) -> snowballstemmer.stemmer:  # type: ignore[name-defined]
    return snowballstemmer.stemmer("english" if language == "en" else "french")


def singular(word: str) -> str:
    """A French word without its plural mark: Snowball's French stemmer reads "laser" as a verb
    ("las") but "lasers" as a noun ("laser"); stemming the singular makes them one."""
    if len(word) > 3 and word[-1] in "sx" and word[-2] not in "su":
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def stem(word: str, language: str) -> str:
    """The stem of a folded word in its text's language (French words singular first)."""
    if language == "en":
        return str(_stemmer("en").stemWord(word))
    return str(_stemmer("fr").stemWord(singular(word)))


def stems(text: str, language: str) -> list[str]:
    """The stems of a text's words, in order."""
    return [stem(w, language) for w in words(text)]
