#!/usr/bin/env python3
"""gen_threat.py - build threat.cfg from threat.cfg.in: fills each @NAME@ placeholder with a
regex built from the alternations below (quell's folded view: lower case,
Arabic letters unified, ة as ه, ى and ئ as ي, أ/إ/آ as ا). Run after
editing either file:  python3 tools/gen_threat.py (or: make forms)
Written by the quell team."""
import os
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rules", "threat")
def S(s): return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'
B = r"(^|[^\x{621}-\x{64a}a-z])"
E = r"([^\x{621}-\x{64a}a-z]|$)"
AP = r"['’]?"
AUX = (r"(" + AP + r"ll|\s+will|\s+shall|\s+wil|" + AP + r"m\s+(going\s+to|gonna|finna)|\s+am\s+(going\s+to|gonna)"
       r"|\s+are\s+(going\s+to|gonna)|" + AP + r"re\s+(going\s+to|gonna)|\s+gonna|\s+gon|\s+finna)")
VK = r"kill|unalive|murder|shoot|stab|behead|decapitate|slaughter|butcher|strangle|lynch|execute|hang|slit|gut|torture|rape"
TG = r"you|u|ya|y" + AP + r"all|yall|him|her|them|your|ur|every\s+one\s+of|each\s+one\s+of|all\s+of\s+you|you\s+all"
# The word that may stand between the auxiliary and the verb ("i'm gonna
# fucking kill you", "i'll come kill you"). A list, not \w+: an optional
# any-word between two alternations made these regexes the dearest of the
# pack to scan (Hyperscan tracks a start of match at every word), and in the
# tune corpora and the bench corpus the only words seen there were these.
ADV = (r"(fucking|fuckin|fucken|fkn|freaking|just|really|actually|personally|literally|seriously|definitely|probably"
       r"|gladly|happily|slowly|brutally|finally|also|then|come|go|and|fuckin'|bloody|damn|even|still|soon|all)\s+")
R = {}
R['FIRST'] = S(r"\b(i|we)" + AUX + r"\s+(" + ADV + r")?(" + VK + r")\s+(" + TG + r")\b")
R['FIRST2'] = S(r"\b(imma|ima|i" + AP + r"ma|ima)\s+(" + ADV + r")?(" + VK + r")\s+(" + TG + r")\b")
R['WANT'] = S(r"\b(i|we)\s+(want\s+to|wanna|would\s+love\s+to|" + AP + r"d\s+love\s+to|should|need\s+to|gotta|have\s+to|am\s+gonna\s+have\s+to)\s+(" + ADV + r")?(" + VK + r")\s+(" + TG + r")\b")
VI = r"kill|unalive|shoot|hang|behead|stab|murder|assassinate|execute|lynch|slaughter|butcher|strangle|torch|gas|nuke|put\s+a\s+bullet\s+(in|into|through)"
R['INCITE'] = S(r"\b(someone|somebody|anyone|anybody|y" + AP + r"all|yall|you\s+guys|people|we)\s+(should|needs?\s+to|must|ought\s+to|has\s+to|have\s+to|gotta|got\s+to)\s+(just\s+|really\s+|seriously\s+|finally\s+)?(" + VI + r")\s+(him|her|them|that|this|these|those|all|every|his|their|you|the)\b")
VA = r"kill|unalive|hang|shoot|behead|slaughter|exterminate|gas|burn|nuke|murder|lynch|execute|bomb|butcher"
R['ALL1'] = S(r"\b(" + VA + r")\s+(them|" + AP + r"em|the\s+lot\s+of\s+them|those\s+\w+|these\s+\w+)\s+all\b")
R['ALL2'] = S(r"\b(" + VA + r")\s+(all|every|each)\s+(of\s+)?(them|you|those|these|one|last)\b")
R['SHOULDBE'] = S(r"\b(he|she|they|you|u|them|all\s+of\s+them|these\s+people|those\s+people|this\s+(guy|man|woman|bastard|pig|traitor|scum|animal)|that\s+(guy|man|woman|bastard|pig|traitor|scum|animal)|the\s+lot\s+of\s+them)\s+(should|must|need\s+to|needs\s+to|deserves?\s+to|ought\s+to)\s+(all\s+)?(be\s+)?(shot|hanged|hung|killed|unalived|executed|beheaded|lynched|burned|burnt|gassed|exterminated|put\s+down|strung\s+up|die|slaughtered|stoned)\b")
R['DEATHTO'] = S(r"(^|[^\w\s]\s*|#)death\s+to\s+(all\s+|the\s+)?\w")
R['DEATHTO2'] = S(r"\bdeath\s+to\s+(all|every)\s+\w")
R['YOUDEAD'] = S(r"\b(you|u|ya)\s*(" + AP + r"re|\s+are|\s+r)\s+(a\s+)?dead\s+(man|meat|woman|men|bitch)\b")
R['YOUDIE'] = S(r"\b(you|u|ya)\s*(" + AP + r"ll|\s+will|\s+gonna|\s+are\s+going\s+to|" + AP + r"re\s+going\s+to|" + AP + r"re\s+gonna|\s+are\s+gonna|\s+r\s+gonna)\s+(" + ADV + r"|surely\s+|eventually\s+|one\s+day\s+)?(die|be\s+dead|be\s+killed|get\s+killed|get\s+shot|get\s+stabbed|bleed)\b")
R['HUNT'] = S(r"\bi\s*(" + AP + r"ll|\s+will|" + AP + r"m\s+gonna|" + AP + r"m\s+going\s+to|\s+am\s+going\s+to)\s+(find|hunt|track)\s+(you|u|ya|him|her|them)\s+(down|and)\b")
R['BULLET'] = S(r"\b(put|putting|shove|send)\s+a\s+(bullet|knife|blade)\s+(in|into|through|between)\s+(your|ur|his|her|their|the\s+back\s+of\s+your)\b")
R['WISH'] = S(r"\b(hope|wish|pray)\s+(that\s+)?(you|u|ya|y" + AP + r"all|yall|your\s+family|ur\s+family)\s+(all\s+)?(die|dies|get\s+killed|get\s+shot|get\s+raped|get\s+cancer|get\s+hanged|get\s+beheaded|choke|drown|burn\s+alive|burn\s+to\s+death|rot)\b")
R['WISH3'] = S(r"\b(hope|wish|pray)\s+(that\s+)?(he|she|they|them|his\s+family|her\s+family)\s+(all\s+)?(die|dies|gets?\s+killed|gets?\s+shot|gets?\s+raped|gets?\s+cancer|gets?\s+hanged|gets?\s+beheaded|burns?\s+alive|burns?\s+to\s+death)\b")
# "I hope someone kills you", "wish somebody would shoot him".
R['WISHSOME'] = S(r"\b(hope|wish|pray)\s+(that\s+)?(someone|somebody|some\s+one|anyone|anybody)\s+(would\s+|will\s+|finally\s+|just\s+)?(kill|unalive|shoot|stab|murder|rape|behead|hang|lynch|bomb|nuke|strangle|run\s+over)s?\s+(you|u|ya|him|her|them|your|ur)\b")
# "you will pay for this", "you'll pay dearly", "y'all gonna pay!": the
# second person only, so "Israel vowed they will pay a heavy price" passes.
R['YOUPAY'] = S(r"\b(you|u|ya|y" + AP + r"all|yall|you\s+all|you\s+people)\s*(" + AP + r"ll|\s+will|\s+shall|\s+are\s+going\s+to|" + AP + r"re\s+going\s+to|" + AP + r"re\s+gonna|\s+are\s+gonna|\s+gonna|\s+r\s+gonna)\s+(all\s+)?pay(\s+for\s+(this|that|what\s+(you|u)|everything)|\s+dearly|\s+with\s+(your|ur)\s+(life|lives|blood|head|heads)|\s+in\s+blood|\s*[!.]|\s*$)")
R['KNOWWHERE'] = S(r"\b(i|we)\s+(know|knows|found\s+out|have\s+found\s+out)\s+where\s+(you|u|ya|your\s+(family|kids|children|wife|mother|mom)\s+)\s*(live|lives|sleep|sleeps|work|works|go\s+to\s+school)\b")
# Any subject: "every settler deserves a bullet", "this guy needs a bullet";
# with an article, so "the army needs bullets" passes.
R['DESERVEBULLET'] = S(r"\b(deserves?|needs?|earned|earns|is\s+owed|gets?)\s+(a|the|one)\s+(bullet|noose|rope|bullet\s+in\s+the\s+head|slow\s+death|painful\s+death|firing\s+squad)\b|\bthe\s+only\s+good\s+\w+\s+is\s+a\s+dead\b")
# The reader's last day: "you won't see tomorrow", "your kids won't be
# safe", "your head will roll". Negated or passive only: "you'll see
# tomorrow" and "you will be safe here" pass.
# Self-contained orders to kill a group: "line them up against a wall",
# "wipe them off the face of the earth".
R['LINEUP'] = S(r"\bline\s+(them|em|'em|you|u|these\s+\w+|those\s+\w+|all\s+of\s+them)\s+(all\s+)?up\s+against\s+(a|the)\s+wall\b|\bwipe\s+(them|em|'em|you|u|these\s+\w+|those\s+\w+)\s+(all\s+)?off\s+the\s+face\s+of\s+the\s+(earth|planet)\b")
R['YOUNOTSAFE'] = S(r"\b(you|u|ya|your\s+(family|kids|children|wife|mother|mom|husband|daughter|son)|ur\s+(family|kids))\s*(" + AP + r"re\s+not|\s+are\s+not|\s+won" + AP + r"t|\s+wont|\s+will\s+not|\s+ain" + AP + r"t\s+gonna|\s+aren" + AP + r"t\s+gonna)\s+(be\s+safe|see\s+(tomorrow|the\s+morning|another\s+day|next\s+(week|month|year)|the\s+end\s+of\s+the\s+(week|month|year))|make\s+it\s+(home|through\s+the\s+night|to\s+(tomorrow|the\s+weekend))|survive\s+(this|the\s+(week|night|month)))\b|\b(your|ur)\s+head\s+(will|is\s+going\s+to|is\s+gonna)\s+roll\b")
R['SHOOTIDIOM'] = S(r"\bshoot\s+(you|u|him|her|them|me|us|ya)\s+(an?|the|some|my|our|over|back|quick|off)\b|\bkill\s+(the|this|that|a)\s+(bill|deal|idea|plan|project|lights|engine|music|mood|vibe|time|game|buzz|joke|story|rumou?r|motion|amendment|proposal|talks|process)\b|\bkill\s+(you|u|him|her|them)\s+(softly|with\s+kindness)\b|\bdie\s+(laughing|of\s+(laughter|laughing|embarrassment|shame|boredom|envy|jealousy)|happy)\b")
# Arabic, folded view
PRE = r"(و)?(ل|ف)?(سا|سن|سوف\s*ا|سوف\s*ن|راح\s*ا|راح\s*ن|رح\s*ا|رح\s*ن|رح\s+|راح\s+|ح\s*ا|ح\s*ن|حا|حن|ها|هن|ه|با|بن|ب|لا|لن|ا|ن)"
# Verb stems of harm (folded). Added: كسر (break), علق (hang), دفن (bury),
# قوص (shoot, Levantine), دعس (run over), خطف (kidnap), قطع (cut), سلخ
# (skin). Breaking and burning may take their object with ل ("نكسرلك
# ايديك"); other verbs not ("بقطعلك تذكرة" books a ticket).
VAR = r"قتل|كتل|ذبح|دبح|سحل|نحر|حرق|فجر|صفي|طخ|شنق|كسر|علق|دفن|قوص|دعس|خطف|قطع|سلخ"
R['AR_FIRST'] = S(B + PRE + r"((" + VAR + r")(ن)?|(كسر|حرق|فجر)ل)(ك|كم|كي|كو|كوا|كن)" + E)
# The same verb without an object, for "لأفجر راسك", "رح نحرق بيتك": the
# object is the next word, a thing of the reader's (threat.ar.your).
# Future and oath prefixes only: bare "بقتل" is "by killing" in news.
PREF = r"(و)?(ل|ف)?(سا|سن|سوف\s*ا|سوف\s*ن|راح\s*ا|راح\s*ن|رح\s*ا|رح\s*ن|ح\s*ا|ح\s*ن|حا|حن|ها|هن|لا|لن|بدي\s*ا?|بدنا\s*ن?)"
R['AR_FIRST_VERB'] = S(B + PREF + r"(" + VAR + r")" + E)
# The reader as a passive: "راح تنذبح", "هتتقتل", "رح تنطخ"; verbs of
# killing only ("العلاقات هتتقطع", "هتتحرق" are said of things).
R['AR_PASSIVE_YOU'] = S(B + r"(و)?(راح\s*|رح\s*|ح|ه|س|سوف\s*|لازم\s*|بدك\s*)(تن|تت)(قتل|كتل|ذبح|دبح|سحل|نحر|شنق|طخ|قوص|دعس|سلخ)(ي|وا|و)?" + E)
# موت: "اموتك" (I will kill you) but "بموتك" (by your death): no ب prefix here.
R['AR_FIRST_MOOT'] = S(B + r"(و)?(ل)?(سا|سن|ها|هن|حا|حن|راح\s*ا|رح\s*ا|راح\s*ن|رح\s*ن|ا|ن)موت(ك|كم|كي|كو|كوا)" + E)
R['AR_IMP'] = S(B + r"(و|ف)?(اقتلو|اذبحو|ادبحو|اسحلو|ابيدو|اكتلو|انحرو|اسحقو|اشنقو|ارجمو)(ا|ه|هم|ها|هن)?" + E)
# "ارموهم بالبحر": with the object only ("ارموا الزبالة" is throwing rubbish).
R['AR_IMP2'] = S(B + r"(و|ف)?(ارمو|اطخو|اقتلي|اذبحي)(ه|هم|ها|هن)" + E)
R['AR_DEATHTO'] = S(r"(^|[^\x{621}-\x{64a}a-z\s]\s*|#)الموت\s+(لل\p{L}|ل[^\sمنا]|لا\p{L}|لم\p{L}|لن\p{L})")
R['AR_DESERVE'] = S(B + r"(يستاهل|يستاهلو|يستاهلون|يستحق|يستحقو|يستحقون|تستاهل|تستحق)\s+(ال)?(ذبح|قتل|سحل|شنق|ابادة|اباده)" + E)
R['AR_MUST'] = S(B + r"(لازم|يجب|لا بد|لابد|واجب)\s+(ان\s+)?(ين|يت|تن|تت|ي|ت|ن|ا)(قتل|كتل|ذبح|دبح|سحل|نحر|شنق|طخ|عدم|باد|موت)(و|وا|ون|هم|ه|ها|هن|ن)?" + E)
R['AR_MUST2'] = S(B + r"(لازم|يجب|لا بد من|لابد من|واجب|الواجب)\s+(قتل|ذبح|اعدام|حرق|سحل|شنق|ابادة|اباده)(ه|هم|ها|هن)" + E)

# ------------------------------------------------------------ English lists
# Verbs of harm, written once as stems: (base, third person, past
# participles). The lists below are their inflections; the rules pair them
# with an agent ("i'll", "we should", "someone needs to"), a target and a
# wish or obligation marker on the hit spans (near/before), so a new verb
# is one line here, not one regex per construction. Verbs whose ordinary
# senses news and sport use every day (strike, hit, beat, crush, destroy,
# fight, attack, eliminate) are left out.
HARM_EN = [
    ("kill", None, None), ("murder", None, None), ("shoot", None, "shot"), ("stab", None, "stabbed"),
    ("behead", None, None), ("decapitate", None, None), ("slaughter", None, None), ("butcher", None, None),
    ("strangle", None, None), ("lynch", "lynches", None), ("hang", None, "hanged"), ("slit", None, "slit"),
    ("gut", None, "gutted"), ("torture", None, None), ("rape", None, None), ("burn", None, "burned burnt"),
    ("bomb", None, None), ("nuke", None, None), ("gas", "gasses gases", "gassed"), ("drown", None, None),
    ("torch", "torches", None), ("execute", None, None), ("exterminate", None, None), ("massacre", None, None),
    ("poison", None, None), ("crucify", "crucifies", "crucified"), ("unalive", None, None),
    ("annihilate", None, None), ("skin", None, "skinned"), ("dismember", None, None), ("lynch", "lynches", None),
    ("choke", None, None), ("hurt", "hurts", "hurt"), ("punch", "punches", None), ("maim", None, None),
    ("cripple", None, None), ("kidnap", None, "kidnapped"), ("abduct", None, None), ("disfigure", None, None), ("assassinate", None, None),
]
# Phrasal and multi-word harms, base form (the object comes after).
HARM_EN_PHRASE = ["put a bullet in", "put a bullet through", "put a bullet into", "put one in",
                  "drop a bomb on", "drop a nuke on", "drop bombs on", "drop a missile on", "drop nukes on",
                  "gun down", "mow down", "run over", "wipe out", "wipe off", "blow up", "string up",
                  "cut the throat of", "slit the throat of", "cut the head off", "cut off the head of",
                  "set fire to", "set on fire", "burn alive", "bury alive", "skin alive", "hunt down",
                  "finish off", "beat to death", "stone to death", "make an example of",
                  "break the neck of", "break the legs of", "beat up", "throw acid on", "throw acid in",
                  "cut up", "end the life of"]
PP_EN_PHRASE = ["gunned down", "mowed down", "run over", "wiped out", "wiped off", "blown up", "strung up",
                "put down", "shot dead", "burned alive", "burnt alive", "buried alive", "skinned alive",
                "hunted down", "beaten to death", "stoned to death", "dealt with", "cut off", "chopped off",
                "cut into pieces", "sent back in body bags", "lined up against a wall", "made an example of",
                "hung from", "wiped off the map", "wiped off the earth", "wiped from the earth"]
# Harms with the target inside: the body part or possession names it.
BODY_EN = ["throat", "neck", "legs", "arms", "head", "face", "skull", "brains", "fingers", "hands", "tongue",
           "knees", "bones", "teeth", "house", "car", "family", "kids", "children"]
POSS_EN = ["your", "ur", "his", "her", "their"]
AIMED_VERB_EN = ["slit", "cut", "break", "smash", "snap", "cut off", "blow off", "burn down", "blow out",
                 "rip out", "cut out", "crack", "bash in", "burn", "bomb", "blow up"]
# Verbs that harm only with a person right after them: "I'll end you"
# but "end the war", "I'll beat you to death" but "beat you at chess",
# "I'll bury you" but "we will bury them tomorrow in the village".
# (verb, objects, what follows the object)
OBJ_P = ("you", "u", "ya", "him", "her", "them", "em")
PERSON_AIMED_EN = [
    ("end", ("you", "u", "ya"), ("",)),
    ("bury", ("you", "u", "ya", "you all", "y'all", "yall"), ("", " alive")),
    ("rip", OBJ_P, (" apart", " to pieces", " to shreds", " limb from limb")),
    ("tear", OBJ_P, (" apart", " to pieces", " to shreds", " limb from limb")),
    ("make", ("you", "u", "ya", "y'all", "yall"), (" disappear", " suffer", " bleed", " pay for this", " pay for that", " pay dearly", " pay with your life", " beg for your life")),
    ("run", OBJ_P, (" over", " down")),
    ("beat", OBJ_P, (" to death", " senseless", " to a pulp", " black and blue", " half to death", " till you bleed")),
    ("put", OBJ_P, (" in the ground", " in a body bag", " six feet under", " in a coffin", " in the hospital",
                    " in hospital", " in a wheelchair", " in the grave", " in your grave")),
    ("send", OBJ_P, (" to hell", " to your grave", " to the grave", " to the hospital", " to meet your maker",
                     " to meet allah", " to your god")),
    ("break", ("every bone in",), (" your body", " ur body", " his body", " her body")),
    ("rip", ("your", "ur", "his", "her"), (" head off", " throat out", " heart out", " tongue out")),
    ("tear", ("your", "ur", "his", "her"), (" head off", " throat out", " heart out")),
    ("knock", ("your", "ur", "his", "her"), (" teeth out", " teeth in", " head off")),
    ("cave", ("your", "ur", "his", "her"), (" head in", " skull in", " face in")),
    ("destroy", ("you and", "u and"), (" your family", " ur family", " everyone you love")),
    ("ruin", ("your", "ur"), (" life", " family", " face")),
]
# Buildings a harm may name as its object ("blow up their mosque").
PLACES_EN = ["house", "houses", "home", "homes", "car", "family", "kids", "children", "mosque", "mosques", "church",
             "churches", "synagogue", "synagogues", "office", "offices", "school", "schools", "shop", "village",
             "villages", "place", "building"]
def en_third(b):
    if b.endswith(('s', 'sh', 'ch', 'x')): return b + 'es'
    if b.endswith('y') and b[-2] not in 'aeiou': return b[:-1] + 'ies'
    return b + 's'
def en_pp(b):
    if b.endswith('e'): return b + 'd'
    if b.endswith('y') and b[-2] not in 'aeiou': return b[:-1] + 'ied'
    return b + 'ed'
def uniq(xs):
    seen = []
    for x in xs:
        if x not in seen: seen.append(x)
    return seen
harm_base = uniq([b for b, _, _ in HARM_EN] + HARM_EN_PHRASE)
harm_third = uniq([w for b, t, _ in HARM_EN for w in (t or en_third(b)).split()]
                  + [p.replace(p.split()[0], en_third(p.split()[0]), 1) for p in HARM_EN_PHRASE if not p.startswith('be ')])
harm_pp = uniq([w for b, _, pp in HARM_EN for w in (pp or en_pp(b)).split()] + PP_EN_PHRASE)
harm_aimed = uniq([v + ' ' + p + ' ' + b for v in AIMED_VERB_EN for p in POSS_EN for b in BODY_EN
                   if not (v in ('burn', 'bomb', 'blow up', 'burn down') and b not in ('house', 'car', 'family', 'kids', 'children'))
                   and not (v not in ('burn', 'bomb', 'blow up', 'burn down') and b in ('house', 'car', 'family', 'kids', 'children'))]
                  + ["blow " + o + " up" for o in ("you", "u", "him", "her", "them", "em", "y'all", "yall")]
                  + ["blow " + p + " brains out" for p in POSS_EN]
                  + ["blow " + o + " up" for o in ("this place", "that place", "the place", "the building", "this building",
                                                  "their house", "their houses", "their mosque", "their church")]
                  + ["beat the shit out of " + o for o in ("you", "u", "him", "her", "them")]
                  + ["wipe " + o + " out" for o in ("you", "u", "them", "em", "y'all", "yall", "all of you")]
                  + ["wipe " + o + " off the map" for o in ("you", "them", "em")]
                  + ["string " + o + " up" for o in ("you", "u", "him", "her", "them", "em")]
                  + ["line " + o + " up against a wall" for o in ("you", "them", "em", "them all", "em all")]
                  + ["send " + o + " back in body bags" for o in ("you", "them", "em")]
                  + ["send " + o + " home in body bags" for o in ("you", "them", "em")]
                  + [v + " " + o + r for v, objs, rests in PERSON_AIMED_EN for o in objs for r in rests]
                  + [v + " " + p + " " + b for v in ("burn down", "burn", "bomb", "blow up", "torch", "set fire to")
                     for p in POSS_EN + ["this", "that", "the"] for b in PLACES_EN
                     if p in POSS_EN or b in ("place", "building")])
def drop_covered(items):
    """Leave out a phrase that holds another item of the list as whole
    words: the shorter one already fires wherever it does (lint QL104)."""
    ws = [' ' + x + ' ' for x in items]
    return [x for x, w in zip(items, ws) if not any(o != w and o in w for o in ws)]
def write_list(name, head, items):
    items = drop_covered(items)
    with open(os.path.join(HERE, name), 'w', encoding='utf-8') as f:
        f.write(head)
        for x in items: f.write(x + '\n')
GEN = "# GENERATED by tools/gen_threat.py: edit the script, not this file.\n"
write_list('threat-en-harm.txt', GEN + "# Verbs of harm, base form, and phrasal harms (the object follows).\n", harm_base)
write_list('threat-en-harm-third.txt', GEN + "# Verbs of harm, third person singular (\"hope someone kills you\").\n", harm_third)
write_list('threat-en-harm-pp.txt', GEN + "# Verbs of harm, past participle (\"should be hanged\").\n", harm_pp)
write_list('threat-en-harm-aimed.txt', GEN + "# Harms whose object is in the phrase (\"slit your throat\", \"blow them up\").\n", harm_aimed)
VERBS_IMP = "|".join(sorted({b for b, _, _ in HARM_EN} - {"execute", "choke", "poison", "skin", "assassinate"}))
# An imperative at the start of a sentence (or after "just", "go",
# "and", "so"): "Gas them all.", "Bomb the refugees' boats", "just shoot them".
R['EN_IMP'] = S(r"(^|[.!?:;\n]\s*|\b(just|go|and|so|then|now|please|lets|let's|let\s+us)\s+)(" + VERBS_IMP
                + r"|blow\s+up|burn\s+down|wipe\s+(them|em|'em|these|those)\s+(all\s+)?(out|off)|drop\s+(a|the)\s+(bomb|nuke|missile)\s+on|line\s+(them|em|'em)\s+(all\s+)?up|send\s+(them|em|'em|the\s+\w+)\s+(back|home)\s+in\s+body\s+bags)\b")
# An agent that means to do harm: the speaker ("i'll", "we're gonna",
# "i'd", "i want to", "imma"), or someone called on ("someone should",
# "y'all need to", "we must", "they should").
R['EN_AGENT'] = S(r"\b((i|we)(" + AP + r"ll|['’]d|\s+will|\s+shall|\s+would|" + AP + r"m\s+(going\s+to|gonna|finna|about\s+to)"
                  r"|\s+am\s+(going\s+to|gonna|about\s+to)|\s+are\s+(going\s+to|gonna)|" + AP + r"re\s+(going\s+to|gonna)|\s+gonna|\s+finna"
                  r"|\s+want\s+to|\s+wanna|\s+would\s+love\s+to|['’]d\s+love\s+to|\s+should|\s+must|\s+need\s+to|\s+gotta|\s+have\s+to|\s+will\s+personally)"
                  r"|imma|ima|i" + AP + r"ma|lemme|let\s+me|let" + AP + r"s|let\s+us"
                  r"|(someone|somebody|anyone|anybody|y" + AP + r"all|yall|you\s+guys|u\s+guys|people|they|brothers|everyone)\s+(should|must|needs?\s+to|ought\s+to|has\s+to|have\s+to|gotta|got\s+to|better)"
                  r"|(someone|somebody)(" + AP + r"ll|\s+will|\s+is\s+going\s+to|\s+is\s+gonna|" + AP + r"s\s+gonna))\b")
# Obligation with a passive: "should be hanged", "need to be unalived",
# "deserves to have his hands cut off".
R['EN_MODAL_BE'] = S(r"\b(should|must|needs?\s+to|deserves?\s+to|ought\s+to|has\s+to|have\s+to|gotta|got\s+to)\s+(all\s+|just\s+|simply\s+|all\s+just\s+)?(be|get|have\s+(his|her|their|your|ur|its)\s+\w+)\b")
# The reader's future: "you'll", "you won't", "u r gonna", "your family will".
R['EN_YOU_FUT'] = S(r"\b(you|u|ya|y" + AP + r"all|yall|you\s+all|you\s+people|your\s+(family|kids|children|wife|mother|mom)|ur\s+family)\s*(" + AP + r"ll|\s+will|\s+shall|\s+won" + AP + r"t|\s+will\s+not|\s+are\s+going\s+to|" + AP + r"re\s+going\s+to|" + AP + r"re\s+gonna|\s+are\s+gonna|\s+gonna|\s+r\s+gonna|\s+gon)\b")
# Wishing: "may your house collapse", "may Allah ...".
R['EN_MAY'] = S(r"(^|[.!?,:;]\s*)may\s+(you|u|your|ur|he|she|they|his|her|their|allah|god)\b")

# ------------------------------------------------------------ Arabic lists
# The reader's head, body, home and family, with the second-person
# suffix and the prepositions joined to them: the object of "لأفجر راسك",
# "رح نحرق بيتك", and what a menace knows ("عنوانك عندنا").
YOUR_AR = ["راس", "بيت", "ايد", "ايدي", "اديا", "رقبت", "لسان", "وجه", "عيلت", "اهل", "ولاد", "اولاد", "قلب",
           "ضهر", "ظهر", "رجلي", "رجل", "عيون", "عين", "سيارت", "عربيت", "شغل", "عنوان", "مدرست", "بنت", "مرت",
           "زوجت", "دار", "محل", "جسم", "دم", "مكان", "طريق", "ابن", "بنات", "جثت"]
your_ar = uniq([p + w + sfx for w in YOUR_AR for sfx in ("ك", "كم", "كو") for p in ("", "ب", "ل", "و", "وب", "ول", "لل")
                if not (p == "لل" and not w.startswith("ا"))])
write_list('threat-ar-your.txt', GEN + "# The reader's head, body, home and family, with joined prepositions.\n", your_ar)
# Harms a wish names: dying, being taken, a missile, an accident, a disease.
WISH_AR = ["تموت", "تموتي", "تموتوا", "تموتو", "يموتك", "يموتكم", "ياخدك", "ياخذك", "ياخدكم", "ياخذكم", "ياخده",
           "ياخذه", "ياخدهم", "ياخذهم", "يخدك", "صاروخ", "قنبلة", "رصاصة", "طلقة", "حادث", "بحادث", "مرض", "بمرض",
           "بالسرطان", "سرطان", "يشل", "يشلك", "يشلها", "يفجر", "يفجروا", "يفجرو", "تنفجر", "يخلص عليك", "يخلص عليه",
           "يخلص عليهم", "يخلص عليكم", "يخلص منك", "ينتقم منك", "ينتقم منكم", "تنشل", "تنقتل", "تنذبح", "تنطخ",
           "يحرقك", "يحرقكم", "يحرق قلبك", "يقطع ايدك", "يقصف عمرك", "ينقصف عمرك", "يبليك", "يدعسك", "يقتلك",
           "يقتلكم", "يذبحك", "يدبحك", "سقط على", "ينزل على", "تنزل على"]
wish_ar = uniq([p + w for w in WISH_AR for p in ("", "و")])
write_list('threat-ar-wish-harm.txt', GEN + "# Harms a wish names (\"الله ياخدك\", \"يا ريت صاروخ\").\n", wish_ar)

# First-person threats to kill or harm the reader, in Arabic script, for
# their Arabizi spellings (threat.arabizi.verbs: arabizi = true spells each
# one the ways the table allows, "ra7 2edba7ak", "bdefnak", "ha2tlak").
# Dialect future and oath prefixes, a few verbs, the reader as object.
# The Maghreb's future is غادي/غا before the bare verb, and its first
# person singular takes ن ("ghadi nqtlek", "nqatlek"); the bare ا form is
# the Levant's and Egypt's after "i will" or an oath ("i will 2e2tlak").
AZ_PRE = ["ب", "بن", "ه", "هن", "ح", "حن", "رح ا", "رح ن", "راح ا", "راح ن", "رح ", "لا", "س", "سن", "بدي ا",
          "بدنا ن", "ا", "ن", "غادي ن", "غا ن"]
AZ_VERB = ["قتل", "دبح", "طخ", "حرق", "دفن", "كسر", "علق", "موت", "فجر", "سلخ", "قوص"]
arabizi_verbs = uniq([p + v + o for p in AZ_PRE for v in AZ_VERB for o in ("ك", "كم")
                      if not (v == "موت" and p in ("ب", "بن", "ا", "ن"))]
                     # the thing of the reader's joined with ل: "ra7 7arri2lak sayyartak"
                     + [p + v + "ل" + o for p in AZ_PRE for v in ("حرق", "كسر", "فجر") for o in ("ك", "كم")]
                     # a verb then the reader's head, house, hand: "bfajjer rasak"
                     + [p + v + " " + t for p in ("ب", "ه", "ح", "رح ا", "رح ن", "لا", "غادي ن")
                        for v in ("كسر", "حرق", "فجر", "قطع") for t in ("راسك", "بيتك", "ايدك", "رقبتك", "سيارتك", "وجهك")])
write_list('threat-arabizi-verbs.txt', GEN + "# First-person threats at the reader, for their Arabizi spellings.\n", arabizi_verbs)
t = open(os.path.join(HERE, 'threat.cfg.in'), encoding='utf-8').read()
for k, v in R.items(): t = t.replace('@' + k + '@', v)
# The folded view makes every run of white space one space, and a literal
# space compiles far faster than \s+, so \s+ and \s* are written out as
# " " and " ?".
open(os.path.join(HERE, 'threat.cfg'), 'w', encoding='utf-8').write(t.replace('\\\\s+', ' ').replace('\\\\s*', ' ?'))
print('wrote', os.path.join(HERE, 'threat.cfg'))
