#!/usr/bin/env python3
"""gen_identity_hate.py - build identity_hate.cfg from identity_hate.cfg.in: fills each @NAME@ placeholder with a
regex built from the alternations below (quell's folded view: lower case,
Arabic letters unified, ة as ه, ى and ئ as ي, أ/إ/آ as ا). Run after
editing either file:  python3 tools/gen_identity_hate.py (or: make forms)
Written by the quell team."""
import os
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rules", "identity_hate")
def S(s):  # libconfig string literal
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'

# ---------- English group names for the close-range regexes (folded view)
GEN = (r"jews?|jewish\s+people|muslims?|moslems?|arabs?|christians?|catholics|shias?|shiites?|shi'ites?|sunnis?"
       r"|alawites?|alawis|druze|kurds?|yazidis?|armenians|assyrians|copts|iranians?|persians?|israelis?|palestinians?"
       r"|zionists?|turks|syrians|iraqis|lebanese|egyptians|saudis|qataris|emiratis|yemenis|bedouins?|afghans|pakistanis"
       r"|indians|hindus|sikhs|africans|blacks|black\s+people|white\s+people|whites|mexicans|latinos|hispanics|asians|chinese"
       r"|immigrants|migrants|refugees|illegals|gays|lesbians|these\s+people|those\s+people")
GADJ = (r"jew|jewish|muslim|moslem|islamic|arab|christian|catholic|shia|shiite|sunni|alawite|druze|kurdish|kurd|yazidi"
        r"|iranian|persian|israeli|palestinian|zionist|turkish|syrian|iraqi|egyptian|saudi|qatari|emirati|yemeni|afghan"
        r"|pakistani|paki|indian|hindu|african|black|mexican|immigrant|migrant|refugee|gay")
MOD = (r"all|just|only|nothing\s+but|nothing\s+more\s+than|no\s+better\s+than|worse\s+than|such|fucking|fuckin|filthy"
       r"|dirty|stinking|disgusting|literally|basically|simply|really|truly|like|a\s+bunch\s+of|bunch\s+of|a\s+pack\s+of"
       r"|pack\s+of|a\s+race\s+of|a\s+breed\s+of|the|dumb|stupid|sick|worthless|vile|evil|inbred|godless|savage")
DSTR = r"vermin|cockroach(es)?|roaches|rats|apes|pigs|swine|parasites|sub-?humans?|untermensch(en)?|maggots|lice|leeches|insects|monkeys|mongrels|baboons|termites"
DWK = r"animals|beasts|savages|scum|filth|trash|garbage|dogs|barbarians|a\s+cancer|a\s+disease|a\s+plague|a\s+virus|inbreds|swarm|a\s+swarm"
ELIM = r"exterminated|gassed|wiped\s+out|wiped\s+off(\s+the\s+(face\s+of\s+the\s+)?(earth|map))?|eradicated|annihilated|exterminate|eradicate|annihilate|wipe\s+out"

# ---------- Arabic, folded view (ة->ه, ى->ي, ئ->ي, أإآ->ا). Hyperscan's \b is
# ASCII-only here (no UCP flag), and [^\p{L}] makes patterns too large, so a
# word boundary is "not an Arabic or Latin letter".
B = r"(^|[^\x{621}-\x{64a}a-z])"
E = r"([^\x{621}-\x{64a}a-z]|$)"
GST = ("يهود|يهودي|صهاينه|شيعه|روافض|رافضه|نواصب|علويين|نصيريه|نصيريين|اكراد|دروز|ايزيديين|يزيديين|ارمن|اقباط"
       "|مسيحيين|نصاري|مسلمين|عرب|اعراب|عربان|مجوس|ايرانيين|اتراك|فلسطينيين|اسراييليين|مصريين|سعوديين|قطريين"
       "|اماراتيين|كويتيين|خليجيين|سوريين|لبنانيين|عراقيين|يمنيين|اردنيين|سودانيين|ليبيين|مغاربه|جزايريين|تونسيين"
       "|افارقه|هنود|هندوس|بنغال|باكستانيين|افغان|بدو|لاجيين|مهاجرين|زنوج|غجر|بربر|امازيغ"
       # singular nisbas, for "يهودي خنزير", "خنزير شيعي"
       "|شيعي|رافضي|مجوسي|نصيري|درزي|كردي|مسيحي|نصراني|صهيوني|عربي|فارسي|ايراني|تركي|فلسطيني|اسراييلي"
       "|مصري|سعودي|قطري|اماراتي|كويتي|خليجي|سوري|لبناني|عراقي|يمني|سوداني|افريقي|هندي|بدوي|لاجي")
GAL = "فرس|ترك|كرد|سود"      # need the article: فرس is also a mare, ترك a verb
GAR = r"((و|ف)?(ب|ك)?(ال|لل)?(" + GST + r")|(و|ف)?(ب|ك)?(ال|لل)(" + GAL + r")|بني صهيون|اهل السنه)"
DSA = "خنازير|قرده|قرود|صراصير|حشرات|جرذان|فيران|ديدان|خنزير|قرد|صرصور|جرذ"
DWA = "كلاب|بهايم|حيوانات|حثاله|زباله|اوساخ|قاذورات|جراثيم|انجاس|نجاسات|افاعي|ثعابين|مسوخ|كلب|حيوان|بهيم|نجس"
FILL = r"(هم|هما|كلهم|كلها|مجرد|عباره عن|اصلا|فعلا|حرفيا|زي|مثل|متل|كال|شويه|اولاد|ولاد|احفاد|ابناء|عيال|نسل|اخوان|يا|الا|و)"

# Hyperscan refuses ("Pattern is too large") one regex holding every group
# name on both sides of a dehumanising word, so the names are split in parts.
def gar_parts(n=3):
    stems = GST.split("|"); k = (len(stems) + n - 1) // n
    parts = ["|".join(stems[i:i + k]) for i in range(0, len(stems), k)]
    out = [r"((و|ف)?(ب|ك)?(ال|لل)?(" + p + r"))" for p in parts]
    out.append(r"((و|ف)?(ب|ك)?(ال|لل)(" + GAL + r")|بني صهيون|اهل السنه)")
    return out
def near_ar(D):
    res = []
    for g in gar_parts():
        res.append(B + g + r"(\s+" + FILL + r")?\s+(ال)?(" + D + ")" + E)
        res.append(B + r"(يا\s*)?(ال)?(" + D + r")\s+(يا\s*)?" + g + E)
    return res

cfg = open(os.path.join(HERE, 'identity_hate.cfg.in'), encoding='utf-8').read()
pred_strong = r"\b(" + GEN + r")\s+(are|r|were|is|=)\s+((" + MOD + r")\s+)?(\w+\s+)?(" + DSTR + r")\b"
pred_weak = r"\b(" + GEN + r")\s+(are|r|were|is|=)\s+((" + MOD + r")\s+)?(\w+\s+)?(" + DWK + r")\b"
compound = r"\b(" + GADJ + r")\s+(" + DSTR + r"|scum|filth|trash|dogs|savages|animals)\b"
attrib = r"\b(filthy|dirty|stinking|smelly|greasy|fucking|fuckin|godless|subhuman|inbred)\s+(" + GEN + r")\b"
elim1 = r"\b(" + GEN + r")\s+(should|must|need\s+to|needs\s+to|deserve\s+to|ought\s+to|have\s+to|gotta)\s+(all\s+)?(be\s+)?(" + ELIM + r"|gassed|nuked|burned\s+alive|burnt\s+alive|put\s+in\s+(ovens|gas\s+chambers|camps))\b"
elim2 = r"(^|[.!?]\s*|\b(let'?s|lets|we\s+should|we\s+must|we\s+need\s+to|need\s+to|should|must|gotta|time\s+to|i\s+want\s+to|we\s+will|i\s+will|i'?ll|we'?ll|just|go)\s+)(kill|exterminate|gas|nuke|wipe\s+out|eradicate|annihilate|slaughter|burn|behead|hang|shoot|murder|lynch)\s+(all\s+)?(the\s+|these\s+|those\s+|every\s+)?(fucking\s+|filthy\s+|dirty\s+|damn\s+)?(" + GEN + r")\b"
elim3 = r"\b(kill|exterminate|gas|nuke|slaughter|burn|behead|hang|shoot|murder|lynch)\s+(all|every|each)\s+(the\s+|of\s+the\s+|these\s+|those\s+|fucking\s+|filthy\s+|dirty\s+)?(" + GEN + r")\b"
R = {
 'PRED_STRONG': S(pred_strong), 'PRED_WEAK': S(pred_weak), 'COMPOUND': S(compound), 'ATTRIB': S(attrib),
 'ELIM1': S(elim1), 'ELIM2': S(elim2), 'ELIM3': S(elim3),
 'NEAR_AR_STRONG': ',\n                 '.join(S(x) for x in near_ar(DSA)),
 'NEAR_AR_WEAK': ',\n                 '.join(S(x) for x in near_ar(DWA)),
 'ELIM_AR': S(B + r"(يجب|لازم|لا بد من|واجب|نريد|نبي|نبغي|ابي|ابغي|اتمني|نتمني)\s+(قتل|ذبح|اباده|ابادت|حرق|سحق|محو|تطهير الارض من|ابادتهم|قتلهم|ذبحهم|حرقهم|سحقهم)\s+(كل\s+|جميع\s+)?" + GAR + E),
}
# The words of sectarian polemic that call a group unbelievers, apostates,
# impure, traitors or agents (identity_hate.polemic.ar, a weight-0 signal
# read with near() beside a group name), each with a joined و or ف and,
# for single words, the article. Folded spelling. صليبيين (Crusaders) is left
# out: history and comparisons use it. Written by the quell team.
POL = ("كفار|كفره|كافرين|كافرون|مرتد|مرتدين|مرتدون|زنادقه|زنديق|مشركين|مشركون|خونه|انجاس|نجس"
       "|انجس|خوارج|ملاحده|منافقين|فجره|اعداء الله|اعداء الدين|اعداء الاسلام|اعداء الامه|ابناء الزنا"
       "|عبده الشيطان|حزب الشيطان|الطابور الخامس"
       # عملاء alone are a firm's clients too: only as someone's agents
       "|عملاء ايران|عملاء لايران|عملاء اسراييل|عملاء لاسراييل|عملاء امريكا|عملاء لامريكا|عملاء الصهاينه"
       "|عملاء للصهاينه|عملاء اليهود|عملاء الموساد|عملاء للموساد|عملاء الفرس|عملاء للفرس|عملاء للخارج")
pol = []
for stem in POL.split("|"):
    for c in (("",) if " " in stem else ("", "ال")):
        # No joined و: "كفار ومسلمين", "اليهود والمنافقين" list both sides.
        pol += [a + c + stem for a in ("", "ف")]
seen = set(); pol = [f for f in pol if not (f in seen or seen.add(f))]
R['POLEMIC_AR'] = ", ".join(S(w) for w in pol)
for k, v in R.items(): cfg = cfg.replace('@' + k + '@', v)
# The group names of identity_hate.group.ar as words (folded view), every
# stem of GST with the prefixes of GAR, every stem of GAL with the article:
# a literal list scans faster than the same alternation as one regex with
# its boundary classes (about 0.3 against 0.45 us per comment on the bench
# corpus, alone), and quell checks the word edges itself.
forms = []
for stem in GST.split("|"):
    forms += [a + b + c + stem for a in ("", "و", "ف") for b in ("", "ب", "ك") for c in ("", "ال", "لل")]
for stem in GAL.split("|"):
    forms += [a + b + c + stem for a in ("", "و", "ف") for b in ("", "ب", "ك") for c in ("ال", "لل")]
forms += ["بني صهيون", "اهل السنه"]
seen = set(); forms = [f for f in forms if not (f in seen or seen.add(f))]
open(os.path.join(HERE, 'groups-ar-forms.txt'), 'w', encoding='utf-8').write(
    "# GENERATED by tools/gen_identity_hate.py (GST, GAL and the prefixes of GAR\n"
    "# there): the Arabic group names of identity_hate.group.ar, folded spelling,\n"
    "# each with the joined conjunctions, prepositions and article. A weight-0\n"
    "# signal: a group's own name never scores alone. Written by the quell team;\n"
    "# edit the generator, not this file.\n" + "\n".join(forms) + "\n")
# The folded view makes every run of white space one space, and a literal
# space compiles far faster than \s+ (the pack's compile time fell from 7 s
# to under 3 s), so \s+ and \s* are written out as " " and " ?".
open(os.path.join(HERE, 'identity_hate.cfg'), 'w', encoding='utf-8').write(cfg.replace('\\\\s+', ' ').replace('\\\\s*', ' ?'))
print('wrote', os.path.join(HERE, 'identity_hate.cfg'))
