#!/usr/bin/env python3
"""gen_forms.py - write the generated lists of the insult and profanity packs.

quell's word rules match whole words and phrases, not "X next to Y" nor "X
with a prefix", so the forms below are spelled out from the hand-written
word lists, and the results are list files like any other:

  insults-ar-aimed.txt   an Arabic insult aimed at someone, by the vocative
                         (يا كلب, joined ياكلب, the chat short form ي كلب,
                         يا قناة المرتزقة, يا شعب الخونة) or
                         a second-person pronoun (انت غبي, انتم حثالة, انك
                         تافه): rule insult.ar.aimed.phrase
  insults-ar-person.txt  an insult after a demonstrative or "a person"
                         (هذا الحقير, هالغبي, واحد متخلف): insult.ar.person.phrase
  insults-arabizi-aimed.txt  an Arabizi insult after the vocative or a
                         pronoun (ya kalb, enta 7mar), from
                         insults-arabizi-nouns.txt: rule insult.ar.az.aimed
  insults-arabizi-sonof.txt  "son of an animal" in Arabizi (ibn 7mar, weld
                         l7mar, bint el kalb): rule insult.ar.az
  insults-en-aimed.txt   an English insult after "you", with at most four
                         fillers between ("you idiot", "you're such a fucking
                         idiot"): regexes for the skeleton view, rule
                         insult.aimed
  *-prefixed.txt         the Arabic words with the conjunctions and
                         prepositions that Arabic writes joined to the next
                         word (والكلاب, كالكلاب, للكلاب, وغبي), and the animals
                         with the possessive suffixes كم and هم (كلابكم,
                         وحميرهم), read by the same rule as the list they
                         come from; in this folder and in ../profanity

Run it after editing any list it reads, then `quell test` and
`tools/allow_candidates.py` (which checks the prefixed forms against the
Arabic dictionary like every other list: وعرة "rugged" is why عرة has no و
form):

    python3 tools/gen_forms.py      (or: make forms)

Written by the quell team (MIT, like quell).
"""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rules", "insult")
PROFANITY = os.path.join(HERE, "..", "profanity")

# The Arabizi insults for a person, aimed by the vocative and the pronouns
# as Arabizi writes them apart (ya kalb, enta 7mar, enti kalbe, intu 7ameer).
AZ_NOUNS = "insults-arabizi-nouns.txt"
AZ_APART = ["يا", "انت", "انتا", "انتي", "انتو"]
# "Son of an animal", as the Levant (ibn el kalb), Egypt (ebn el 7mar), the
# Gulf (wild el 7mar) and the Maghreb (weld l7mar, bent l7mara) say it: the
# article is optional in Arabizi ("ibn 7mar", "ibn el 7mar"), so each animal
# is written once with it. Scored alone (a plain insult) by insult.ar.az.
# بن is ابن with its alef elided (ya bn el kalb, bin kalb), and يابن the
# vocative joined to it (yabn el kalb).
AZ_SONOF = ["ابن", "بن", "يابن", "بنت", "ولد", "ولاد"]
AZ_SONOF_OF = ["الحمار", "الحمارة", "الكلب", "الكلبة", "الحيوان", "الحيوانة", "الخنزير",
               "الجحش", "البغل", "الحلوف", "البهيمة"]
# Pairs left out, as their Arabizi, the words joined, reads as English or a
# name: ابن الحمار(ة) "Oppenheimer", بنت الحمار "bent hammer", بنت الحيوان
# "Pantheon" (checked aimed at every word of ../shared/data/wordlist-en).
AZ_SONOF_NOT = {("ابن", "الحمار"), ("بن", "الحمار"), ("يابن", "الحمار"), ("بنت", "الحمار"),
                ("ابن", "الحمارة"), ("بن", "الحمارة"), ("يابن", "الحمارة"), ("بنت", "الحمارة"),
                ("بنت", "الحيوان"), ("بنت", "الحيوانة")}

# The Arabic insult lists, whose words are aimed and pointed at a person.
LISTS = ["insults-ar.txt", "insults-ar-namecalling.txt", "insults-ar-weak.txt",
         "insults-ar-animal.txt", "insults-ar-political.txt",
         "insults-ar-political-mild.txt", "insults-ar-sonof.txt"]
# Words aimed only, never scored alone (news uses them plainly: مجرم, ارهابي).
AIMED_ONLY = "insults-ar-aimed-only.txt"
# The profanity pack's nouns for people (its lists also hold verbs, curses
# and phrases that cannot be aimed).
PROFANE_NOUNS = ["شرموط", "شرموطة", "قهبة", "شراميط", "معرص", "معرصة", "معرصين", "عرص",
                 "منيوك", "منيوكة", "متناك", "متناكة", "متناكين", "قحبة", "قحاب",
                 "ديوث", "خول", "خولات", "ممحون", "ممحونة", "عاهرة", "عاهر",
                 "مخنث", "مخانيث", "خنيث", "زق", "زفت", "ملعون", "ملعونة",
                 "ملاعين", "لقيط", "ابن حرام", "ابن الحرام", "ولاد الحرام", "ولد الحرام",
                 "ابن زنا"]

# Vocatives and pronouns written apart (يا كلب, انت غبي), and the vocative
# joined (ياكلب).
APART = ["يا", "ي", "انت", "انتي", "انتا", "انتم", "انتو", "انتوا", "انك", "انكم"]
# A group addressed by the vocative: يا قناة المرتزقة, يا شعب الخونة. Only
# for the words that call names (not those news uses to describe, nor the
# aimed-only ones: يا شعب ثور is "people, rise up").
GROUP = ["يا قناة", "يا حكومة", "يا شعب"]
JOINED = ["يا"]
# Words whose joined vocative is another word: يا + اعمى is written ياعمى,
# which folds to ياعمي "oh my uncle".
NOT_JOINED = {"اعمى"}
# "Son of" heads that chat also joins to a bare ي (يبن, يولاد).
SONOF_HEADS = ["ابن", "بنت", "ولاد", "اولاد"]
# Demonstratives and "a person": هذا, the Levantine هاد and هيدا, the Gulf
# هذي; هال- is the joined "this" of the Levant and the Gulf (هالغبي).
PERSON = ["هذا", "هذه", "هذي", "هاذا", "هاذي", "هاد", "هادا", "هاي", "هيدا", "هيدي",
          "واحد", "انسان", "شخص", "رجل", "زلمة"]

# English: "you" and its chat forms (the skeleton view joins "u r a" into
# "ura"), the fillers that may stand between, the insults that may follow.
EN_LISTS = ["insults-en.txt", "insults-en-mild.txt"]
EN_PROFANE = ["bitch", "bitches", "asshole", "assholes", "bastard", "bastards", "cunt",
              "cunts", "twat", "dick", "dickhead", "prick", "whore", "slut", "hoe", "hoes",
              "pussy", "fuck", "fucker", "fuckers", "motherfucker", "wanker", "shithead",
              "douche", "dipshit", "piece of shit"]
EN_YOU = r"(?:you|u|yu|ya|ur|ura|youre|you're|you'r|y'all|yall)"
EN_FILLERS = (r"(?: (?:are|r|is|a|an|such|so|the|one|total|complete|utter|absolute|"
              r"real|big|little|fat|ugly|stupid|dumb|fucking|fuckin|fucken|fking|"
              r"bloody|damn|dirty|lying|pathetic|ignorant|worthless|sorry|"
              r"piece of|bunch of|fake|old|lil)){0,4}")

# The Arabic lists that get prefixed forms, with the rule that reads them.
PREFIXED = {
    HERE: {"insults-ar.txt": "insult.ar", "insults-ar-weak.txt": "insult.ar.weak",
           "insults-ar-namecalling.txt": "insult.ar.namecalling",
           "insults-ar-animal.txt": "insult.ar.animal",
           "insults-ar-animal-named.txt": "insult.ar.animal.named.word",
           "insults-ar-political.txt": "insult.ar.political",
           "insults-ar-political-mild.txt": "insult.ar.political.mild",
           "insults-ar-sonof.txt": "insult.ar.sonof.phrase"},
    PROFANITY: {"profanity-ar.txt": "profanity.ar",
                "profanity-ar-curse.txt": "profanity.ar.curse",
                "profanity-ar-mild.txt": "profanity.ar.mild"},
}
# Words whose prefixed form is another word, and the prefixes they must not
# take: وعرة "rugged", وخول "and authorised", وكس "loss"; two-letter words
# take none; فكريه "intellectual", فخرا and فخري "pride", واحيه "and I greet
# him" are why كريه, خرا, خري and احيه lack those forms.
NOT_PREFIXED = {"كريه": "ف", "خرا": "ف", "خري": "ف", "احيه": "و", "عرة": "و", "خول": "و", "كس": "و", "تف": "وفبكل", "زق": "وفبكل",
                "نيك": "وفبكل", "شخ": "وفبكل", "طز": "وفبكل", "زب": "وفبكل"}

FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ئ": "ي",
                      "ؤ": "و"})


def skeleton(text):
    """Near enough quell's skeleton view for Arabic: letter forms folded, runs
    of one letter made one. Two entries with the same skeleton are one
    pattern to quell (lint QL101), so only the first is written."""
    text = text.translate(FOLD)
    return "".join(c for i, c in enumerate(text) if i == 0 or c != text[i - 1])


def words(name, folder=HERE):
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


def write(path, rule, sources, entries, what):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Generated %s for rule %s.\n"
                "# Do not edit: edit %s\n"
                "# (or the lists in tools/gen_forms.py), then run\n"
                "# python3 tools/gen_forms.py. Written by the quell team.\n"
                % (what, rule, ", ".join(sources)))
        for entry in entries:
            f.write(entry + "\n")


class Forms:
    """An ordered list of phrases, one per skeleton."""

    def __init__(self, known=()):
        self.seen = set(skeleton(w) for w in known)
        self.out = []

    def add(self, phrase):
        if skeleton(phrase) not in self.seen:
            self.seen.add(skeleton(phrase))
            self.out.append(phrase)


def arabic_aimed():
    base = [w for name in LISTS for w in words(name)] + PROFANE_NOUNS
    described = set(words("insults-ar-political-mild.txt"))
    aimed_only = set(words(AIMED_ONLY))
    aimed = Forms()
    for w in base + list(words(AIMED_ONLY)):
        if w.startswith("يا "):
            aimed.add(w)
            continue
        for p in APART:
            aimed.add(p + " " + w)
        if w not in described and w not in aimed_only:
            for p in GROUP:
                aimed.add(p + " " + w)
        for p in JOINED:
            if w in NOT_JOINED:
                continue
            # يا + ابن: one alef, since a word may stretch a letter but not
            # shorten one (the entry يابن matches ياابن too).
            aimed.add(p + (w[1:] if w[0] == p[-1] else w))
        # Chat joins يا to "son of" as a bare ي: يبن الكلب, يولاد الجزمة.
        for head in SONOF_HEADS:
            if w.startswith(head + " "):
                aimed.add("ي" + (w[1:] if w[0] == "ا" else w))
    write(os.path.join(HERE, "insults-ar-aimed.txt"), "insult.ar.aimed.phrase",
          LISTS + [AIMED_ONLY], aimed.out, "phrases")

    # Not the animals: هذه الحيوانات, هذا الكلب are as often animals; nor the
    # words news uses to describe (الحكومة هاي فاشلة is criticism).
    animals = set(words("insults-ar-animal.txt"))
    person = Forms()
    for w in base:
        if w.startswith("يا ") or w in animals or w in described:
            continue
        for p in PERSON:
            person.add(p + " " + w)
        if w.startswith("ال") and " " not in w:
            person.add("هال" + w[2:])
    write(os.path.join(HERE, "insults-ar-person.txt"), "insult.ar.person.phrase", LISTS,
          person.out, "phrases")


def arabizi_aimed():
    aimed = Forms()
    for w in words(AZ_NOUNS):
        for p in AZ_APART:
            aimed.add(p + " " + w)
    write(os.path.join(HERE, "insults-arabizi-aimed.txt"), "insult.ar.az.aimed.word",
          [AZ_NOUNS], aimed.out, "phrases (matched as Arabizi)")
    # The phrases insults-arabizi.txt already lists (ابن الكلب) stay there.
    sonof = Forms(words("insults-arabizi.txt"))
    for p in AZ_SONOF:
        for w in AZ_SONOF_OF:
            if (p, w) not in AZ_SONOF_NOT:
                sonof.add(p + " " + w)
    write(os.path.join(HERE, "insults-arabizi-sonof.txt"), "insult.ar.az.word",
          ["insults-arabizi.txt"], sonof.out, "phrases (matched as Arabizi)")


# The character before "you" (the start of text, or any character but a
# letter, digit or apostrophe) by its UTF-8 length, with the surrogates left
# out as the negated class leaves them out.
EN_BEFORE = {1: r"[\x00-\x26\x28-\x2f\x3a-\x60\x7b-\x7f]", 2: r"[\x{80}-\x{7ff}]",
             3: r"[\x{800}-\x{d7ff}\x{e000}-\x{ffff}]", 4: r"[\x{10000}-\x{10ffff}]"}


def english_aimed():
    # "(?:^|[^a-z0-9'])" + EN_YOU + EN_FILLERS + " " + (insult|insult|...),
    # the hit starting at the character before "you", written so that
    # Hyperscan tracks that start cheaply. It does when what stands before
    # the fillers has one width in bytes, so there is one regex for the
    # start of text and one for each width of the character before "you"
    # and "you" together, all the insults in one alternation (a regex for
    # each insult took 3 s to compile, 9 MB for the start tracking). The
    # width of one byte plus "u" stays ambiguous (" u" begins the fillers
    # " utter" and " ugly"), so it splits further: no filler, or some.
    # The matches are the same; only insults in a row ("you bitch you
    # coward"), one regex's matches sharing the space between them, now
    # fold into one hit, as two of the same insult always did: the rule
    # scores once (max_hits 1) either way.
    seen, insults = set(), []
    for w in [w for name in EN_LISTS for w in words(name)] + EN_PROFANE:
        if w not in seen:
            seen.add(w)
            insults.append(w)
    you = EN_YOU[len("(?:"):-len(")")].split("|")
    tail = " (?:" + "|".join(insults) + r")(?:[^a-z0-9]|$)"
    out = ["^" + EN_YOU + EN_FILLERS + tail]
    for width in range(2, max(EN_BEFORE) + max(len(y) for y in you) + 1):
        heads = [EN_BEFORE[n] + "(?:" + "|".join(y for y in you if n + len(y) == width) + ")"
                 for n in EN_BEFORE if any(n + len(y) == width for y in you)]
        if heads == [EN_BEFORE[1] + "(?:u)"]:
            filler = EN_FILLERS[len("(?: "):-len("){0,4}")]
            out.append(heads[0] + tail)
            out.append(heads[0] + " " + filler + "(?: " + filler + "){0,3}" + tail)
        elif heads:
            out.append("(?:" + "|".join(heads) + ")" + EN_FILLERS + tail)
    write(os.path.join(HERE, "insults-en-aimed.txt"), "insult.aimed", EN_LISTS, out,
          "regexes for the skeleton view")


# The animal lists also get the possessive suffixes that point the animal at
# people (كلابكم "your dogs", حميرهم "their donkeys": كل نظام وله كلابه), on
# the words without ال; not those whose possessed forms are the household's
# livestock (حيواناتهم "their animals", خروفكم "your Eid sheep", بقرهم), nor
# the words already suffixed (كلابهم).
SUFFIXED = {"insults-ar-animal.txt", "insults-ar-animal-named.txt"}
SUFFIXES = ["كم", "هم"]
NOT_SUFFIXED = {"حيوان", "حيوانات", "بقر", "بقرة", "مطي", "مطية", "نعجة", "حشرة", "حشرات",
                "خروف", "خرفان", "نعاج"}


def suffixed(w):
    """كم and هم after an animal without ال (taa marbuta written ت)."""
    if w.startswith("ال") or " " in w or w in NOT_SUFFIXED or w[-1] in "همك" and len(w) > 4:
        return []
    stem = w[:-1] + "ت" if w.endswith("ة") else w
    return [stem + s for s in SUFFIXES]


def prefixed(w):
    """و and ف before any word; ب, ك, ل and their و forms before ال."""
    bad = set(NOT_PREFIXED.get(w, ""))
    forms = [p + w for p in "وف" if p not in bad]
    if w.startswith("ال") and len(w) > 3:
        for p in ("ب", "ك", "ل", "وب", "وك", "ول"):
            if not bad & set(p):
                # ل + ال is written لل.
                forms.append(p + ("ل" if p.endswith("ل") else "ال") + w[2:])
    return forms


def arabic_prefixed():
    for folder, lists in PREFIXED.items():
        for name, rule in lists.items():
            listed = list(words(name, folder))
            forms = Forms(listed)
            for w in listed:
                for form in prefixed(w):
                    forms.add(form)
                if name in SUFFIXED:
                    for form in suffixed(w):
                        forms.add(form)
                        for pform in prefixed(form):
                            forms.add(pform)
            write(os.path.join(folder, name[:-len(".txt")] + "-prefixed.txt"), rule, [name],
                  forms.out, "forms with a joined prefix (و, ف, ب, ك, ل)"
                  + (" or suffix (كم, هم)" if name in SUFFIXED else ""))


if __name__ == "__main__":
    arabic_aimed()
    arabizi_aimed()
    english_aimed()
    arabic_prefixed()
