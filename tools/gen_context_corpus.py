#!/usr/bin/python3
"""gen_context_corpus.py - write eval/context/context-tune.jsonl and
eval/context/context-report.jsonl, labelled comment streams for quell's
context signals (issue 16): campaigns (one text pasted by many accounts
within minutes), author floods, author repeats, and the hard negatives
around them (eval/context/SOURCE.txt says what is in them and why).

    QUELL_DATA=../shared/data python3 tools/gen_context_corpus.py
    QUELL_DATA=../shared/data python3 tools/gen_context_corpus.py --check

--check regenerates both files into a temporary folder and compares them
byte for byte with the committed ones (exit 1 if they differ). --stats
prints the counts that eval/context/SOURCE.txt quotes. Python 3.11
standard library only, no network; the same inputs give the same bytes
(no set of strings is iterated unsorted, so PYTHONHASHSEED does not
matter).
"""

import argparse
import bisect
import collections
import csv
import filecmp
import hashlib
import html
import json
import math
import os
import random
import re
import sys
import tempfile
import unicodedata

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT_DIR = os.path.join(REPO, "eval", "context")

# 2026-01-01 00:00 UTC; the stream runs for two days.
T0 = 1767225600
SPAN_S = 48 * 3600

# Background sources: (file, language column value kept, our language tag).
SOURCES = [
    ("davidson-hate-offensive/davidson-hate-offensive.csv", "en", "en"),
    ("mlma-hate-speech/mlma-hate-speech.csv", "en", "en"),
    ("mlma-hate-speech/mlma-hate-speech.csv", "ar", "ar"),
    ("mpold-ar-comments/mpold-ar-comments.csv", "ar", "ar"),
    ("osact4-offenseval2020-ar/osact4-offenseval2020-ar.csv", "ar", "ar"),
]

# Background texts kept: 3+ words after normalising, at most MAX_BYTES of
# UTF-8 (the long tail of comments would push a file past 3 MB).
MIN_WORDS = 3
MAX_BYTES = 400
NEAR_DUP_JACCARD = 0.6
SHINGLE = 4

# ---------------------------------------------------------------------------
# Campaign templates. Two disjoint sets: A for the tune file, B for the
# report file. Written for this corpus by the quell team; phone numbers use
# ranges reserved for fiction (UK 07700 900xxx, US 555-01xx, AU 0491 570xxx),
# handles and domains are invented. Slots: {link} {phone} {handle} {num} {tg}.
# ---------------------------------------------------------------------------

TEMPLATES_A = [
    ("en", "I was losing money on crypto until I found {handle}. She turned my {num} dollars into five times that in two weeks. Message her now, she is real and very honest 🙏"),
    ("en", "Free forex and gold signals every day, 95% win rate, join our VIP group before it closes {link} 📈💰"),
    ("en", "Good news! Your number came out in our monthly draw for a brand new iPhone 15 Pro. Pick it up here within 24 hours {link}"),
    ("en", "Work from home and earn {num}$ per week with just your phone. No experience needed, training is free. WhatsApp {phone} for details."),
    ("en", "Families in Gaza have no food or water tonight. Every dollar counts, send your donation directly through {link} and share this message so more people can help 🙏💔"),
    ("en", "The full video they are hiding from you is here, watch it before it gets deleted {link} 😱"),
    ("en", "Canada and Australia are giving free work visas this year to applicants from Jordan, Egypt and Lebanon. Apply fast, places are limited. Call or WhatsApp {phone}"),
    ("en", "Need an urgent loan? We give personal and business loans from {num} dollars at 2% interest, no guarantor needed. Contact {handle} today."),
    ("en", "Follow my page {handle} for real news the media won't show you, I post every hour from the ground 🔥"),
    ("en", "Stop the war now. Ceasefire now. Children are not targets. #CeasefireNow #StopTheWar"),
    ("en", "Lebanon deserves peace and a government that serves its people, not the warlords. Enough is enough! #LebanonWantsPeace"),
    ("en", "The people stand with the President and the army against foreign conspiracies. Our country is strong and united, long live the homeland! 🇪🇬"),
    ("en", "Download the new betting app and get a {num}$ welcome bonus, I won three times this week already 🤑 {link}"),
    ("en", "My uncle beat diabetes in 30 days with this natural herbal mix from Yemen, doctors don't want you to know. Order now {link}"),
    ("en", "Lonely tonight? Beautiful girls from Dubai and Beirut are waiting to chat with you, no registration {link} 💋"),
    ("en", "Free the journalists! Reporting the truth is not a crime. Release all detained reporters now #FreeThePress #JournalismIsNotACrime"),
    ("ar", "ربحت {num} دولار في أسبوع واحد من التداول مع الأستاذ {handle} 🤑 والله صادق وأمين، تواصلوا معه قبل ما يقفل الباب"),
    ("ar", "مطلوب موظفين وموظفات للعمل من المنزل براتب يصل إلى {num} دولار شهريا، بدون خبرة. للتواصل واتساب {phone}"),
    ("ar", "ساهم في إغاثة أهلنا في غزة، تبرعك يصل مباشرة للعائلات المحتاجة. رابط التبرع {link} لا تبخل ولو بالقليل 🤲"),
    ("ar", "شاهد الفيديو الكامل الذي حذفته القناة قبل أن يحذف من جديد، الحقيقة كاملة بدون مونتاج 😱 {link}"),
    ("ar", "الشيخ {handle} لفك السحر وجلب الحبيب ورد المطلقة وعلاج العقم بإذن الله، نتائج مضمونة خلال ثلاثة أيام. اتصل {phone}"),
    ("ar", "لا للتطبيع، فلسطين ليست للبيع، وستبقى القدس عاصمة فلسطين الأبدية 🇵🇸 #لا_للتطبيع"),
    ("ar", "قرض حسن بدون فوائد وبدون كفيل لجميع الجنسيات في السعودية والإمارات والكويت. التواصل على الخاص أو الرقم {phone}"),
    ("ar", "عاجل: فرصة هجرة إلى كندا مع عقد عمل جاهز، الأماكن محدودة جدا، سجل بياناتك الآن من هنا {link}"),
    ("ar", "تابعوا قناتنا على التلغرام {tg} لكل الأخبار العاجلة من الميدان لحظة بلحظة قبل أي قناة أخرى"),
    ("ar", "الشعب يريد إسقاط الفساد، لا لغلاء الأسعار، لا لقطع الكهرباء، نريد حقوقنا كاملة #ارحلوا"),
    ("ar", "نحن مع القيادة الحكيمة في كل قراراتها، ومن يشكك في وطنيتنا لا يعرف معنى الولاء. حفظ الله الوطن وقائده 🇸🇦"),
    ("ar", "احصل على اشتراك مجاني لمدة سنة في جميع القنوات الرياضية، العرض ينتهي الليلة! {link}"),
    ("ar", "خلطة أعشاب طبيعية مجربة لعلاج السكري والضغط نهائيا، بدون أدوية. للطلب راسلنا واتساب {phone} والتوصيل لجميع المدن"),
    ("ar", "أوقفوا الحرب في السودان الآن، الملايين بلا مأوى والعالم صامت. أنقذوا السودان #السودان_ينزف"),
    ("arz", "ya jama3a ana kasabt {num}$ fi usbu3 wa7ed ma3 {handle}, wallah mosh nasb, kalmoha 3al whatsapp w 2ulolha enkom men taraf Sara"),
    ("arz", "shoghl men el bet b {num} dollar fel shahr, mafish khebra matlouba, ab3atly 3al whatsapp {phone}"),
    ("arz", "7ad shaf el video el kamel? el 2anah mas7ato bas ana la2eto hon {link} 😱"),
    ("arz", "yalla kolna nwa22ef el 7arb, el atfal mesh hadaf w el madaress mesh hadaf! #CeasefireNow 🇵🇸"),
    ("arz", "sheikh {handle} byfok el se7r w byrga3 el 7abib fi 3 iyam bas, et2asel {phone}"),
    ("arz", "talabat el hijra la canada w australia maftou7a, el amaken m7doude ktir, sajjel hala2 {link}"),
    ("arz", "ta3alo 3a channel el telegram taba3na {tg} kell el akhbar el 3ajle men el ard 2abl el jazeera"),
    ("arz", "el sha3b bedo yes2at el fasad, la la ghala el as3ar, badna kahraba w shoghl #irhalo"),
    ("arz", "2ard bala fawa2ed w bala kafeel, le kell el jinsiyat fi el khaleej, ra2am el whatsapp {phone}"),
    ("arz", "rba7 iPhone 15 jdid! bas e3mel follow la {handle} w share lal post, el sa7b bokra 🎁🔥"),
]

TEMPLATES_B = [
    ("en", "Thank you Mrs Layla for the wonderful investment advice, my account grew from {num} to a life changing amount in 10 days. Reach her on WhatsApp {phone} ✅"),
    ("en", "Bitcoin recovery expert available. If you lost funds to fake trading platforms, {handle} can get it back for you in 48 hours, contact them right away."),
    ("en", "URGENT: free flights for Lebanese and Syrian families leaving the conflict, register your passport details here {link} before Friday"),
    ("en", "I make {num}$ a day from home with this simple app and so can you. Link in my bio {handle} 💵💵"),
    ("en", "Subscribe to my YouTube channel for daily analysis of the war, the truth they won't tell you on TV {link} 🔔"),
    ("en", "Earthquake victims in Syria and Turkey still need blankets and medicine. Donate via PayPal to the relief committee {link} Allah will reward you"),
    ("en", "Hajj and Umrah packages at half price, 5 star hotels next to the Haram, visa included. Book now call {phone} 🕋"),
    ("en", "Watch all the matches of the Champions League free and in HD, no subscription, no ads {link} ⚽"),
    ("en", "Boycott the brands that fund the occupation! Check the list before you shop and share it everywhere #BoycottNow"),
    ("en", "Iran's people want freedom, not the regime. Women life freedom! Be their voice and share this post #WomanLifeFreedom"),
    ("en", "We will never forget our martyrs. Glory to the heroes who defend the homeland, and shame on the traitors who sell it 🇮🇶"),
    ("en", "Unlock your future with our online diploma, accredited worldwide, finish in 3 months only for {num} dollars. Enrol at {link}"),
    ("en", "Don't believe the fake news about the elections! The official results are on {handle}, follow for the truth"),
    ("en", "Ladies, lose 12 kilos in one month with the Moroccan coffee diet, no exercise. Order yours before stock runs out {link} 🔥"),
    ("en", "Hands off Yemen! Stop the bombing, lift the blockade, let the food and medicine in. The world must act today #YemenCantWait"),
    ("en", "Get 10,000 real followers on Instagram and TikTok in one day, cheap prices, safe for your account. DM {handle} or visit {link}"),
    ("ar", "الحمد لله استرجعت أموالي التي خسرتها في منصات التداول الوهمية بفضل الخبير {handle}، أنصح الجميع بالتواصل معه على الرقم {phone}"),
    ("ar", "اربح {num} ريال يوميا من جوالك وأنت في بيتك، الطريقة سهلة ومضمونة 💰 التفاصيل في الرابط {link}"),
    ("ar", "توزيع سلال غذائية مجانية على الأسر المتعففة في لبنان، سجل اسمك ورقم هاتفك عبر الرابط التالي {link}"),
    ("ar", "للبيع شهادات جامعية معتمدة وجوازات سفر ورخص قيادة دولية، السرية التامة مضمونة. تواصل {handle}"),
    ("ar", "القدس لنا والأقصى خط أحمر، لن نتنازل عن شبر واحد من أرضنا مهما طال الزمن #الأقصى_في_خطر"),
    ("ar", "عمرة الخير بأسعار لا تصدق تبدأ من {num} دينار، شاملة الطيران والفندق والتأشيرة. احجز الآن {phone}"),
    ("ar", "مباشر: رابط مشاهدة مباراة الكلاسيكو بدون تقطيع وبجودة عالية على جميع الأجهزة {link} ⚽🔥"),
    ("ar", "يا جماعة حملوا هذا التطبيق واحصلوا على رصيد مجاني {num} جيجا لكل الشبكات، جربته بنفسي والله 👇 {link}"),
    ("ar", "ارفعوا الحصار عن اليمن، أطفال اليمن يموتون جوعا والعالم يتفرج. كفى صمتا #اليمن_يستغيث"),
    ("ar", "العراق للعراقيين، لا لتدخل الدول الأجنبية في شؤوننا، نريد وطنا حرا مستقلا ✊🇮🇶 #نريد_وطن"),
    ("ar", "الرئيس هو صمام الأمان لهذا البلد، وكل من يهاجمه عميل للخارج. نعم للاستقرار ونعم للأمن 🇪🇬"),
    ("ar", "أفضل مكتب استقدام عمالة منزلية من الفلبين وإثيوبيا وكينيا، وصول خلال 30 يوما بأقل الأسعار. للتواصل {phone}"),
    ("ar", "دورة مجانية لتعلم التداول والعملات الرقمية مع شهادة معتمدة، المقاعد محدودة، انضم لقناة التلغرام {tg}"),
    ("ar", "قاطعوا منتجات الشركات الداعمة للحرب، كل قرش تدفعه يتحول إلى رصاصة. شارك القائمة مع أهلك وأصدقائك #قاطعوا"),
    ("arz", "el 7amdella rjje3tli masari kolha ba3d ma khsertha bel trading, shokran ktir la {handle}, hiyye sade2a w msa3de"),
    ("arz", "eksab {num} dollar yawmeyan men mobilak w enta fel bet, el tari2a sahle w madmoune 💰 {link}"),
    ("arz", "3omra b as3ar ma btet2asad, men {num} dinar bas, ma3 el tayara w el funduq. e7jez hala2 {phone} 🕋"),
    ("arz", "el 2ods elna w el a2sa khat a7mar, ma ra7 netnazal 3an shebr men ardna #AlAqsa"),
    ("arz", "la7e2 el match el classico live bala ta2ti3 w b jawde 3alye 3ala kel el ajhize {link} ⚽"),
    ("arz", "farfe3 el 7esar 3an el yaman, el atfal 3am ymoto men el jou3 w el 3alam sakit #YemenCantWait"),
    ("arz", "bade3 shahadat jam3iye mo3tamade w passportat, kel shi serri. 7akini 3al khas {handle}"),
    ("arz", "dawra majjaneye bel crypto w el trading ma3 shahade, el ama2en m7doude, fout 3al telegram {tg}"),
    ("arz", "el 3ira2 lal 3ira2iyyin, la lal tadakhol el ajnabi, badna watan 7orr ✊ #nureed_watan"),
    ("arz", "khassaret 12 kilo bi shaher wa7ed b 2ahwet el regime el maghrebiye, bala riyada, otlobo abel ma tekhlas {link} 🔥"),
]

# Short news headlines, each quoted once by two different authors minutes
# apart: two identical comments are not a campaign.
HEADLINES_A = [
    "Ceasefire talks resume in Cairo as delegations arrive",
    "Oil prices jump after tanker attacked in the Red Sea",
    "Lebanon's parliament fails again to elect a president",
    "Earthquake of magnitude 5.8 strikes southern Iran",
    "UN says aid trucks blocked at Rafah crossing for third day",
    "Jordan announces new cabinet after prime minister resigns",
    "انقطاع الكهرباء عن معظم مناطق بيروت لليوم الثالث",
    "ارتفاع أسعار الذهب في مصر مع تراجع الجنيه",
    "وزير الخارجية السعودي يصل إلى دمشق في زيارة رسمية",
    "الأمطار الغزيرة تغرق شوارع عمان وتعطل الدراسة",
    "العراق يعلن عطلة رسمية بمناسبة الأربعين",
    "توقف الملاحة في مطار بغداد بسبب العاصفة الترابية",
]

HEADLINES_B = [
    "Israel and Hezbollah exchange fire across the border overnight",
    "Egypt raises fuel prices for the second time this year",
    "Turkey and Syria agree to reopen a border crossing",
    "Kuwait arrests 12 in a money laundering case",
    "Iraq's prime minister meets Iranian president in Tehran",
    "Qatar hosts new round of Sudan peace talks",
    "الحوثيون يعلنون استهداف سفينة في البحر الأحمر",
    "لبنان: إضراب عام في القطاع العام احتجاجا على الرواتب",
    "السعودية تعلن موعد بدء موسم الرياض",
    "سوريا: ارتفاع حصيلة ضحايا الزلزال في حلب",
    "الأردن يفتح باب التسجيل للحج لهذا العام",
    "تونس تشهد انتخابات بلدية وسط إقبال ضعيف",
]

# Short comments that many readers post under the same story at once.
SHORT_COMMON = {
    "en": ["thanks", "Thanks for sharing", "great article", "Great article!", "well said",
           "Well said 👏", "so sad", "So sad 💔", "RIP", "rest in peace", "+1", "this", "agreed",
           "exactly", "100%", "true", "omg", "wow", "pray for them", "praying 🙏", "unbelievable",
           "God help them", "finally", "about time", "sad news"],
    "ar": ["شكرا", "شكرا لكم", "الله يرحمهم", "الله يرحمهم 💔", "رحمهم الله", "حسبي الله ونعم الوكيل",
           "لا حول ولا قوة إلا بالله", "إنا لله وإنا إليه راجعون", "الله يستر", "ربنا يستر", "صح",
           "كلام جميل", "الله أكبر", "يا رب", "اللهم آمين", "مبروك", "الحمد لله على السلامة"],
    "arz": ["allah yer7amhom", "Allah yer7amhom", "allah yer7amo", "ya rab", "ya rabb 🙏",
            "7asbi allah", "7asbeya allah w ne3ma el wakil", "mabrouk", "shukran", "ma shaa allah",
            "la 7awla wala 2owata ella billah", "sa7", "yalla"],
}
EMOJI_ONLY = ["🙏", "💔", "😢😢", "😭😭😭", "👍", "👏👏", "🤲", "❤️", "🇵🇸", "😡", "🔥🔥", "💔💔💔"]

# ---------------------------------------------------------------------------
# Variants of a campaign copy, and the mix they are drawn from.
# ---------------------------------------------------------------------------

VARIANT_MIX = [
    ("exact", 25),
    ("word-changed", 20),
    ("emoji", 10),
    ("punct-case", 10),
    ("disguised", 20),
    ("numbers-links-changed", 15),
]

FILLERS = {
    "en": ["guys", "really", "now", "today", "friends", "honestly", "seriously", "pls", "please", "100%", "everyone"],
    "ar": ["والله", "يا جماعة", "الآن", "فعلا", "صدقوني", "اليوم", "يا اخوان", "بسرعة", "جدا"],
    "arz": ["wallah", "ya jama3a", "hala2", "sara7a", "ya shabab", "el yom", "b sor3a", "ktir"],
}
SYNONYMS = {
    "en": {"now": "today", "free": "FREE", "money": "cash", "friends": "guys", "contact": "message",
           "join": "follow", "fast": "quickly", "people": "everyone", "real": "legit", "honest": "trusted",
           "today": "now", "stop": "end", "children": "kids", "great": "amazing"},
    "ar": {"الآن": "هلا", "تواصلوا": "راسلوا", "مجاني": "ببلاش", "الليلة": "اليوم", "سجل": "اشترك",
           "جدا": "كثير", "نريد": "بدنا", "بسرعة": "فورا"},
    "arz": {"hala2": "halla2", "ktir": "kteer", "wallah": "wallahi", "bas": "bass", "el": "l",
            "w": "wa", "men": "min", "badna": "bedna"},
}
EMOJI_POOL = ["🔥", "💰", "🤑", "✅", "👇", "🙏", "💯", "😱", "❤️", "👍", "✊", "🇵🇸", "💵", "⭐", "🎁", "‼️"]
EMOJI_RE = re.compile("[\u2600-\u27bf\u2b50\u203c\ufe0f\U0001f1e6-\U0001f1ff\U0001f300-\U0001faff]+")

# Look-alikes for Latin letters (Cyrillic and Greek), leetspeak.
HOMOGLYPH = {
    "a": "аα", "c": "с", "e": "е", "i": "іι", "j": "ј", "k": "κ", "o": "оο", "p": "р",
    "s": "ѕ", "v": "ν", "x": "х", "y": "у", "A": "АΑ", "B": "ВΒ", "C": "С", "E": "ЕΕ",
    "H": "НΗ", "I": "ІΙ", "K": "КΚ", "M": "МΜ", "N": "Ν", "O": "ОΟ", "P": "РΡ", "T": "ТΤ",
    "X": "ХΧ", "Y": "Υ", "Z": "Ζ",
}
LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7", "l": "1", "b": "8", "g": "9"}
HARAKAT = ["\u064e", "\u064f", "\u0650", "\u0652", "\u0651", "\u064b", "\u064d"]
TATWEEL = "\u0640"
# Letters that join the next one: tatweel may follow them.
AR_JOINING = set("بتثجحخسشصضطظعغفقكلمنهيئ")
AR_DIGITS = ["٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"]


def weighted(rng, pairs):
    """One value of (value, weight) pairs, drawn by weight."""
    total = sum(w for _, w in pairs)
    r = rng.uniform(0, total)
    for value, w in pairs:
        r -= w
        if r <= 0:
            return value
    return pairs[-1][0]


# ---------------------------------------------------------------------------
# Slot values: changed per copy by the numbers-links-changed variant.
# ---------------------------------------------------------------------------

ALNUM = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
HANDLE_HEAD = ["crypto", "trader", "mentor", "sara", "dr", "coach", "invest", "noor", "ali", "rich",
               "forex", "lady", "queen", "sheikh", "abu", "layla", "mona", "omar", "hana", "news"]
HANDLE_TAIL = ["_fx", "_official", "signals", "_real", "_1", "99", "_uae", "_ksa", "_pro", "_daily",
               "_help", "2024", "_team", "x", "_live"]


class Slots:
    """A campaign's slot style (which shortener, which phone range) and a
    way to draw fresh values in that style."""

    def __init__(self, rng):
        self.rng = rng
        self.link_style = rng.choice(["bit.ly/{7}", "https://bit.ly/{7}", "tinyurl.com/{8}",
                                      "cutt.ly/{6}", "https://shorturl.at/{5}",
                                      "www.{site}.example/{6}"])
        self.site = rng.choice(["fastprofit-hub", "gift-center", "news-leaks", "umrah-deals",
                                "visa-apply", "aid-relief", "live-match"])
        self.phone_style = rng.choice(["+44 7700 900{3}", "+447700900{3}", "+1 555 01{2}",
                                       "+1-555-01{2}", "0491 570 {3}", "07700 900{3}"])

    def code(self, n):
        return "".join(self.rng.choice(ALNUM) for _ in range(n))

    def value(self, slot):
        r = self.rng
        if slot == "link":
            s = self.link_style.replace("{site}", self.site)
            return re.sub(r"\{(\d)\}", lambda m: self.code(int(m.group(1))), s)
        if slot == "phone":
            return re.sub(r"\{(\d)\}", lambda m: "".join(r.choice("0123456789")
                                                          for _ in range(int(m.group(1)))),
                          self.phone_style)
        if slot == "handle":
            return "@" + r.choice(HANDLE_HEAD) + r.choice(HANDLE_TAIL)
        if slot == "tg":
            return "t.me/" + r.choice(HANDLE_HEAD) + r.choice(HANDLE_TAIL).strip("_") + self.code(2)
        if slot == "num":
            return str(r.choice([250, 300, 400, 500, 750, 800, 1000, 1200, 1500, 2000, 2500, 3000, 5000]))
        raise ValueError(slot)


SLOT_RE = re.compile(r"\{(link|phone|handle|tg|num)\}")
# A link or @handle as filled in: variants leave these alone (another case
# or another digit is another link).
SLOT_VALUE_RE = re.compile(r"((?:https?://)?(?:bit\.ly|tinyurl\.com|cutt\.ly|shorturl\.at|t\.me|www\.[\w-]+\.example)/\S+|@\w+)")


def fill(template, values):
    return SLOT_RE.sub(lambda m: values[m.group(1)], template)


# ---------------------------------------------------------------------------
# Variant makers: each takes the campaign's base text and returns a copy.
# ---------------------------------------------------------------------------

def change_words(rng, text, lang):
    words = text.split(" ")
    for _ in range(rng.choice([1, 1, 2])):
        syn = [i for i, w in enumerate(words) if w in SYNONYMS[lang] and SYNONYMS[lang][w] != w]
        op = rng.choice(["insert", "insert", "replace", "delete"])
        if op == "replace" and syn:
            i = rng.choice(syn)
            words[i] = SYNONYMS[lang][words[i]]
        elif op == "delete" and len(words) > 8:
            del words[rng.randrange(1, len(words) - 1)]
        else:
            words.insert(rng.randrange(0, len(words) + 1), rng.choice(FILLERS[lang]))
    return " ".join(words)


def change_emoji(rng, text):
    if EMOJI_RE.search(text) and rng.random() < 0.6:
        out = EMOJI_RE.sub("", text)
        return re.sub(r"\s+", " ", out).strip()
    add = "".join(rng.choice(EMOJI_POOL) for _ in range(rng.randint(1, 3)))
    where = rng.random()
    if where < 0.6:
        return text + " " + add
    if where < 0.8:
        return add + " " + text
    words = text.split(" ")
    words.insert(rng.randrange(1, len(words)), add)
    return " ".join(words)


def change_punct_case(rng, text, lang):
    out = text
    if lang != "ar":
        mode = rng.choice(["upper", "lower", "title", "keep"])
        conv = {"upper": str.upper, "lower": str.lower, "title": str.title, "keep": lambda s: s}[mode]
        # Links and handles keep their case: another case is another link.
        pieces, last = [], 0
        for m in SLOT_VALUE_RE.finditer(out):
            pieces.append(conv(out[last:m.start()]) + m.group(0))
            last = m.end()
        out = "".join(pieces) + conv(out[last:])
    ops = rng.sample(["bang", "dots", "nocomma", "strip", "spaces"], 2)
    for op in ops:
        if op == "bang":
            out = out.rstrip(".!؟?") + rng.choice(["!!", "!!!", " !!!", "!"])
        elif op == "dots":
            out = out.replace(". ", rng.choice(["... ", " .. ", "! "]), 1)
        elif op == "nocomma":
            out = out.replace(",", "").replace("،", "")
        elif op == "strip":
            out = re.sub(r"[.!?؟]+(\s|$)", r"\1", out)
        elif op == "spaces":
            out = out.replace(" ", "  ", rng.randint(1, 3))
    return out.strip()


def disguise_latin_word(rng, word, method):
    if method == "homoglyph":
        chars = [c for c in word]
        idx = [i for i, c in enumerate(chars) if c in HOMOGLYPH]
        for i in rng.sample(idx, max(1, len(idx) // 2)) if idx else []:
            chars[i] = rng.choice(HOMOGLYPH[chars[i]])
        return "".join(chars)
    if method == "leet":
        chars = [c for c in word]
        idx = [i for i, c in enumerate(chars) if c.lower() in LEET]
        for i in rng.sample(idx, max(1, (len(idx) + 1) // 2)) if idx else []:
            chars[i] = rng.choice(LEET[chars[i].lower()])
        return "".join(chars)
    if method == "dots":
        return rng.choice([".", ".", "-", " "]).join(word)
    if method == "stretch":
        vowels = [i for i, c in enumerate(word) if c.lower() in "aeiou"]
        i = rng.choice(vowels) if vowels else len(word) - 1
        return word[:i + 1] + word[i] * rng.randint(2, 6) + word[i + 1:]
    raise ValueError(method)


def disguise_latin(rng, text):
    method = rng.choice(["homoglyph", "homoglyph", "leet", "dots", "stretch"])
    words = text.split(" ")
    cand = [i for i, w in enumerate(words)
            if re.fullmatch(r"[A-Za-z]{3,}[,.!?]?", w) and not SLOT_VALUE_RE.fullmatch(w)]
    if not cand:
        return text, method
    many = method in ("homoglyph", "leet")
    k = min(len(cand), rng.randint(2, 6) if many else rng.randint(1, 2))
    for i in rng.sample(cand, k):
        w = words[i]
        core, tail = (w[:-1], w[-1]) if w[-1] in ",.!?" else (w, "")
        words[i] = disguise_latin_word(rng, core, method) + tail
    return " ".join(words), method


def disguise_arabic(rng, text):
    method = rng.choice(["harakat", "tatweel", "digits", "harakat+tatweel"])
    if method == "digits" and not re.search(r"\d", text):
        method = "harakat+tatweel"
    out = text
    if method == "digits":
        table = rng.choice(AR_DIGITS)
        out = "".join(table[int(c)] if "0" <= c <= "9" and not in_slot_value(out, i) else c
                      for i, c in enumerate(out))
    if "harakat" in method:
        p = rng.uniform(0.25, 0.7)
        out = "".join(c + (rng.choice(HARAKAT) if "\u0621" <= c <= "\u064a" and rng.random() < p else "")
                      for c in out)
    if "tatweel" in method:
        words = out.split(" ")
        cand = [i for i, w in enumerate(words) if len(w) >= 3 and any(c in AR_JOINING for c in w[:-1])]
        for i in rng.sample(cand, min(len(cand), rng.randint(2, 5))):
            w = words[i]
            spots = [j for j in range(len(w) - 1) if w[j] in AR_JOINING and "\u0621" <= w[j + 1] <= "\u064a"]
            if spots:
                j = rng.choice(spots)
                words[i] = w[:j + 1] + TATWEEL * rng.randint(1, 4) + w[j + 1:]
        out = " ".join(words)
    return out, method


def in_slot_value(text, pos):
    """Whether pos falls in a link or handle: those keep ASCII digits (a
    link with Arabic-Indic digits is another link)."""
    for m in SLOT_VALUE_RE.finditer(text):
        if m.start() <= pos < m.end():
            return True
    return False


def make_copy(rng, variant, lang, template, slots, base_values, base_text):
    if variant == "exact":
        return base_text
    if variant == "word-changed":
        return change_words(rng, base_text, lang)
    if variant == "emoji":
        return change_emoji(rng, base_text)
    if variant == "punct-case":
        out = change_punct_case(rng, base_text, lang)
        return out if out != base_text else base_text.rstrip(".!") + "!!"
    if variant == "disguised":
        if lang == "ar":
            return disguise_arabic(rng, base_text)[0]
        return disguise_latin(rng, base_text)[0]
    if variant == "numbers-links-changed":
        names = SLOT_RE.findall(template)
        if not names:
            # A slogan with no link or number: the copy replies to someone.
            return slots.value("handle") + " " + base_text
        values = dict(base_values)
        for name in names:
            fresh = slots.value(name)
            for _ in range(5):
                if fresh != base_values[name]:
                    break
                fresh = slots.value(name)
            values[name] = fresh
        return fill(template, values)
    raise ValueError(variant)


# ---------------------------------------------------------------------------
# Background: read, normalise, drop duplicates and near-duplicates.
# ---------------------------------------------------------------------------

URL_RE = re.compile(r"(https?://\S+|www\.\S+|\S+\.(com|ly|org|net)/\S*)", re.I)
MENTION_RE = re.compile(r"@\S+")
DIACRITICS_RE = re.compile("[\u064b-\u0652\u0640]")
WORD_RE = re.compile(r"\w+")


def normalise(text):
    """The text as compared for duplicates: entities decoded, lower case,
    no links, @mentions, retweet marks, line-break marks, digits, Arabic
    diacritics or punctuation; words joined by one space."""
    t = html.unescape(text).replace("<LF>", " ")
    t = URL_RE.sub(" ", t)
    t = MENTION_RE.sub(" ", t)
    t = unicodedata.normalize("NFKC", t).casefold()
    t = DIACRITICS_RE.sub("", t)
    words = [w for w in WORD_RE.findall(t) if w not in ("rt", "url", "user")]
    words = [re.sub(r"\d", "", w) for w in words]
    return " ".join(w for w in words if w)


def shingles(norm):
    if len(norm) <= SHINGLE:
        return {norm}
    return {norm[i:i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)}


def read_sources(data_dir):
    rows = []
    for path, lang_value, lang in SOURCES:
        with open(os.path.join(data_dir, path), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row["lang"] != lang_value:
                    continue
                rows.append({"source": path.split("/")[0], "src_id": row["id"], "lang": lang,
                             "text": row["text"]})
    return rows


def dedup(rows):
    """Drops texts too short or too long, exact duplicates after
    normalising, and near-duplicates (character 4-gram Jaccard >= 0.6 with
    a text kept earlier). Near-duplicate pairs are found exactly with a
    prefix filter: two sets with Jaccard >= t share a token among the
    first |s| - ceil(t|s|) + 1 of each, in one global token order."""
    stats = collections.Counter()
    kept_norm = {}
    cand = []
    for row in rows:
        norm = normalise(row["text"])
        if len(norm.split()) < MIN_WORDS:
            stats["short"] += 1
            continue
        if len(row["text"].encode("utf-8")) > MAX_BYTES:
            stats["long"] += 1
            continue
        if norm in kept_norm:
            stats["exact"] += 1
            continue
        kept_norm[norm] = True
        cand.append((row, shingles(norm)))
    freq = collections.Counter()
    for _, sh in cand:
        freq.update(sh)
    index = collections.defaultdict(list)
    kept = []
    kept_sets = []
    for row, sh in cand:
        order = sorted(sh, key=lambda s: (freq[s], s))
        prefix = order[:len(order) - math.ceil(NEAR_DUP_JACCARD * len(order)) + 1]
        seen = set()
        dup = False
        for tok in prefix:
            for j in index.get(tok, ()):
                if j in seen:
                    continue
                seen.add(j)
                other = kept_sets[j]
                inter = len(sh & other)
                if inter / (len(sh) + len(other) - inter) >= NEAR_DUP_JACCARD:
                    dup = True
                    break
            if dup:
                break
        if dup:
            stats["near"] += 1
            continue
        j = len(kept)
        kept.append(row)
        kept_sets.append(sh)
        for tok in prefix:
            index[tok].append(j)
    stats["kept"] = len(kept)
    for row in kept:
        stats["kept " + row["source"] + " " + row["lang"]] += 1
    return kept, stats


def split_half(row):
    """0 for the tune file's background, 1 for the report file's: the two
    files share no background text."""
    key = (row["source"] + ":" + row["src_id"]).encode("utf-8")
    return int(hashlib.sha1(key).hexdigest(), 16) % 2


# ---------------------------------------------------------------------------
# The stream.
# ---------------------------------------------------------------------------

FILES = {
    "tune": {"name": "context-tune.jsonl", "seed": 16001, "half": 0,
             "templates": TEMPLATES_A, "headlines": HEADLINES_A},
    "report": {"name": "context-report.jsonl", "seed": 16002, "half": 1,
               "templates": TEMPLATES_B, "headlines": HEADLINES_B},
}
# Background comments per file, by language: all of the file's Arabic half
# of the pool (None), and English to make about 60/40. RESERVE texts of each
# language are set aside first for floods, repeats and busy authors.
BACKGROUND = {"en": 7600, "ar": None}
RESERVE = 450
N_CAMPAIGNS = 40
N_DECOY_BURSTS = 50
N_HEADLINE_PAIRS = 10
N_FLOODS = 15
N_REPEATS = 15
N_BUSY = 15
# No two background comments of one author come closer than this: a busy
# regular is not a flood.
BG_MIN_GAP_S = 120


class Stream:
    def __init__(self, rng):
        self.rng = rng
        self.events = []
        # Author ids are random numbers, so an id says nothing of its role.
        self.free_ids = rng.sample(range(1000, 1000000), 40000)
        self.next_id = 0

    def new_author(self):
        self.next_id += 1
        return "u" + str(self.free_ids[self.next_id - 1])

    def add(self, t, author, body, label, kind, **extra):
        rec = {"time": int(t), "author": author, "body": body, "label": label, "kind": kind}
        rec.update(extra)
        rec["seq"] = len(self.events)
        self.events.append(rec)


def author_counts(rng, total):
    """Posts per background author, heavy-tailed: P(K >= k) = 1/k^2, at
    most 60; about three in four authors post once, one in a hundred ten
    times or more."""
    counts = []
    left = total
    while left > 0:
        k = min(60, left, int(1 / math.sqrt(1 - rng.random())))
        counts.append(k)
        left -= k
    return counts


def place_background(rng, stream, texts):
    """Background times are a Poisson process over the two days
    (exponential gaps); authors are then given slots: a prolific author's
    slots lie in an active window of a few hours and never closer than
    BG_MIN_GAP_S, the others' anywhere."""
    n = len(texts)
    rate = n / SPAN_S
    slots = []
    t = 0.0
    while len(slots) < n:
        t += rng.expovariate(rate)
        slots.append(T0 + (t % SPAN_S))
    slots.sort()
    taken = [False] * n
    counts = sorted(author_counts(rng, n), reverse=True)
    authors = []
    assignment = [None] * n
    for k in counts:
        author = stream.new_author()
        authors.append((author, k))
        if k >= 8:
            width = rng.uniform(max(3 * 3600, k * 8 * 60), min(SPAN_S, max(3 * 3600, k * 8 * 60) * 2.5))
            start = T0 + rng.uniform(0, SPAN_S - width)
            lo = bisect.bisect_left(slots, start)
            hi = bisect.bisect_right(slots, start + width)
            pool = [i for i in range(lo, hi) if not taken[i]]
        else:
            pool = None
        picked = []
        if pool is not None:
            rng.shuffle(pool)
            for i in pool:
                if len(picked) == k:
                    break
                if all(abs(slots[i] - slots[j]) >= BG_MIN_GAP_S for j in picked):
                    picked.append(i)
        while len(picked) < k:
            i = rng.randrange(n)
            if not taken[i] and i not in picked and all(abs(slots[i] - slots[j]) >= BG_MIN_GAP_S for j in picked):
                picked.append(i)
        for i in picked:
            taken[i] = True
            assignment[i] = author
    order = list(range(n))
    rng.shuffle(order)
    for slot_i, text_i in enumerate(order):
        row = texts[text_i]
        stream.add(slots[slot_i], assignment[slot_i], row["text"], "ham", "background",
                   _lang=row["lang"], _src=row["source"])
    return authors


def spread(rng, start, span, n):
    """n times in [start, start + span], the first and last at the ends, so
    that a burst lasts exactly span."""
    inner = sorted(start + rng.uniform(0, span) for _ in range(n - 2))
    return [start] + inner + [start + span]


def add_campaigns(rng, stream, templates):
    order = list(range(len(templates)))
    rng.shuffle(order)
    accounts_so_far = []
    for c in range(N_CAMPAIGNS):
        lang, template = templates[order[c % len(templates)]]
        slots = Slots(rng)
        base_values = {name: slots.value(name) for name in sorted(set(SLOT_RE.findall(template)))}
        base_text = fill(template, base_values)
        size = int(round(math.exp(rng.uniform(math.log(5), math.log(60)))))
        span = rng.uniform(120, 1200)
        start = T0 + rng.uniform(1800, SPAN_S - 1800 - span)
        accounts = [stream.new_author() for _ in range(size)]
        # Some campaigns reuse accounts: a few post twice, or an earlier
        # campaign's accounts come back.
        if rng.random() < 0.3 and size >= 8:
            for i in rng.sample(range(1, size), rng.randint(1, 3)):
                accounts[i] = accounts[rng.randrange(0, i)]
        if rng.random() < 0.25 and len(accounts_so_far) >= 10:
            for i in rng.sample(range(size), min(size - 1, rng.randint(2, 5))):
                accounts[i] = rng.choice(accounts_so_far)
        accounts_so_far.extend(a for a in accounts if a not in accounts_so_far)
        times = spread(rng, start, span, size)
        for t, author in zip(times, accounts):
            variant = weighted(rng, VARIANT_MIX)
            body = make_copy(rng, variant, lang, template, slots, base_values, base_text)
            stream.add(t, author, body, "campaign", "campaign:" + variant, _camp=c, _lang=lang)


def add_decoy_bursts(rng, stream, bg_authors):
    for _ in range(N_DECOY_BURSTS):
        group = rng.choice(["en", "en", "ar", "ar", "arz"])
        mains = rng.sample(SHORT_COMMON[group], rng.randint(1, 3))
        n = rng.randint(5, 25)
        span = rng.uniform(120, 600)
        start = T0 + rng.uniform(600, SPAN_S - 600 - span)
        times = spread(rng, start, span, n)
        authors = []
        for _ in range(n):
            a = rng.choice(bg_authors)[0] if rng.random() < 0.8 else stream.new_author()
            while a in authors:
                a = stream.new_author()
            authors.append(a)
        for t, a in zip(times, authors):
            r = rng.random()
            if r < 0.15:
                body, kind = rng.choice(EMOJI_ONLY), "decoy:emoji-only"
            elif r < 0.85:
                body, kind = rng.choice(mains), "decoy:short-common"
            else:
                body, kind = rng.choice(SHORT_COMMON[group]), "decoy:short-common"
            if kind == "decoy:short-common" and rng.random() < 0.15:
                body = body + " " + rng.choice(EMOJI_ONLY)
            stream.add(t, a, body, "ham", kind, _lang=group if kind != "decoy:emoji-only" else "emoji")


def add_headline_pairs(rng, stream, headlines, bg_authors):
    for h in rng.sample(headlines, N_HEADLINE_PAIRS):
        start = T0 + rng.uniform(600, SPAN_S - 1800)
        a, b = rng.sample(bg_authors, 2)
        lang = "ar" if re.search("[\u0600-\u06ff]", h) else "en"
        for t, author in ((start, a[0]), (start + rng.uniform(30, 900), b[0])):
            stream.add(t, author, h, "ham", "decoy:headline-quote", _lang=lang)


def pick_regular(rng, bg_authors, used):
    """A background author not yet picked for a flood or repeats, so that
    each flood and each repeat series has an author of its own."""
    author = rng.choice(bg_authors)[0]
    while author in used:
        author = rng.choice(bg_authors)[0]
    used.add(author)
    return author


def add_floods(rng, stream, pool, bg_authors, used):
    for f in range(N_FLOODS):
        n = rng.randint(10, 40)
        span = rng.uniform(90, 360)
        start = T0 + rng.uniform(600, SPAN_S - 600 - span)
        # Half the flooders are regulars who also post normally.
        author = pick_regular(rng, bg_authors, used) if f % 2 == 0 else stream.new_author()
        lang = rng.choice(["en", "ar"])
        texts = [pool[lang].pop() for _ in range(n)]
        for t, row in zip(spread(rng, start, span, n), texts):
            stream.add(t, author, row["text"], "flood", "flood:varied", _lang=row["lang"], _src=row["source"],
                       _group=("f", f))


def add_repeats(rng, stream, pool, bg_authors, used):
    for r in range(N_REPEATS):
        n = rng.randint(3, 6)
        span = rng.uniform(600, 3600)
        start = T0 + rng.uniform(600, SPAN_S - 600 - span)
        author = pick_regular(rng, bg_authors, used) if r % 2 == 0 else stream.new_author()
        row = pool[rng.choice(["en", "ar"])].pop()
        lang = row["lang"]
        for i, t in enumerate(spread(rng, start, span, n)):
            body, kind = row["text"], "repeat:exact"
            if i > 0 and rng.random() < 0.5:
                op = rng.choice(["emoji", "punct", "word"])
                if op == "emoji":
                    body = change_emoji(rng, body)
                elif op == "punct":
                    body = change_punct_case(rng, body, lang)
                else:
                    body = change_words(rng, body, lang)
                kind = "repeat:near" if body != row["text"] else "repeat:exact"
            stream.add(t, author, body, "repeat", kind, _lang=lang, _src=row["source"], _group=("r", r))


def add_busy_authors(rng, stream, pool):
    """Engaged readers in a heated thread: 4 to 6 different comments within
    10 to 20 minutes. Ham: a rate threshold must not catch them."""
    for _ in range(N_BUSY):
        n = rng.randint(4, 6)
        span = rng.uniform(600, 1200)
        start = T0 + rng.uniform(600, SPAN_S - 600 - span)
        author = stream.new_author()
        lang = rng.choice(["en", "ar"])
        gap = span / n
        for i in range(n):
            row = pool[lang].pop()
            t = start + i * gap + rng.uniform(0, gap * 0.5)
            stream.add(t, author, row["text"], "ham", "decoy:busy-author", _lang=row["lang"], _src=row["source"])


def build(which, background_rows):
    spec = FILES[which]
    rng = random.Random(spec["seed"])
    mine = [r for r in background_rows if split_half(r) == spec["half"]]
    by_lang = {"en": [r for r in mine if r["lang"] == "en"], "ar": [r for r in mine if r["lang"] == "ar"]}
    for rows in by_lang.values():
        rng.shuffle(rows)
    # Texts for floods, repeats and busy authors come out of the same pool
    # first, so that no text appears twice in the file by accident.
    extra = {lang: rows[:RESERVE] for lang, rows in by_lang.items()}
    bg_pool = {lang: rows[RESERVE:] for lang, rows in by_lang.items()}
    texts = []
    for lang, n in BACKGROUND.items():
        n = len(bg_pool[lang]) if n is None else n
        if len(bg_pool[lang]) < n:
            raise SystemExit(f"gen_context_corpus.py: only {len(bg_pool[lang])} {lang} texts for {which}")
        texts.extend(bg_pool[lang][:n])
    stream = Stream(rng)
    bg_authors = place_background(rng, stream, texts)
    add_campaigns(rng, stream, spec["templates"])
    add_decoy_bursts(rng, stream, bg_authors)
    add_headline_pairs(rng, stream, spec["headlines"], bg_authors)
    used = set()
    add_floods(rng, stream, extra, bg_authors, used)
    add_repeats(rng, stream, extra, bg_authors, used)
    add_busy_authors(rng, stream, extra)
    return finish(stream.events)


def finish(events):
    """Time order, ids, campaign numbers in order of first copy, and ranks."""
    events.sort(key=lambda e: (e["time"], e["seq"]))
    camp_number = {}
    rank = collections.Counter()
    out = []
    for i, e in enumerate(events, 1):
        rec = {"id": f"ctx-{i:06d}", "author": e["author"], "time": e["time"], "body": e["body"],
               "label": e["label"], "kind": e["kind"]}
        if "_camp" in e:
            c = camp_number.setdefault(e["_camp"], len(camp_number) + 1)
            rank[("c", c)] += 1
            rec["campaign"] = c
            rec["rank"] = rank[("c", c)]
        elif "_group" in e:
            rank[e["_group"]] += 1
            rec["rank"] = rank[e["_group"]]
        out.append((rec, e["_lang"], e.get("_src", "written for this corpus")))
    return out


def write(path, records):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for rec, _, _ in records:
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")


def check_stream(records):
    """Asserts what SOURCE.txt promises of one file, so that an edit of the
    generator that breaks a promise fails instead of writing a file."""
    times = [r["time"] for r, _, _ in records]
    assert times == sorted(times) and T0 <= times[0] and times[-1] <= T0 + SPAN_S
    assert [r["id"] for r, _, _ in records] == [f"ctx-{i:06d}" for i in range(1, len(records) + 1)]
    groups = collections.defaultdict(list)
    for r, _, _ in records:
        if r["label"] == "campaign":
            groups[("campaign", r["campaign"])].append(r)
        elif r["label"] in ("flood", "repeat"):
            groups[(r["label"], r["author"])].append(r)
        elif r["kind"] == "background":
            groups[("background", r["author"])].append(r)
    # (fewest, most, longest first-to-last span in seconds); times are
    # whole seconds, so a span may come out up to 1 s short.
    limits = {"campaign": (5, 60, 1200), "flood": (10, 40, 360), "repeat": (3, 6, 3600)}
    campaign_authors = set()
    for (what, _), rs in groups.items():
        if what == "background":
            gaps = [b["time"] - a["time"] for a, b in zip(rs, rs[1:])]
            assert all(g >= BG_MIN_GAP_S - 1 for g in gaps), rs[0]["author"]
            continue
        fewest, most, longest = limits[what]
        span = rs[-1]["time"] - rs[0]["time"]
        assert fewest <= len(rs) <= most and span <= longest, (what, rs[0])
        assert [r["rank"] for r in rs] == list(range(1, len(rs) + 1)), (what, rs[0])
        if what == "campaign":
            assert span >= 119, rs[0]
            campaign_authors.update(r["author"] for r in rs)
    # Campaign accounts are new: they post nothing but campaign copies.
    assert not any(r["author"] in campaign_authors for r, _, _ in records if r["label"] != "campaign")


def generate(out_dir, data_dir):
    rows = read_sources(data_dir)
    kept, stats = dedup(rows)
    results = {}
    for which, spec in FILES.items():
        records = build(which, kept)
        check_stream(records)
        write(os.path.join(out_dir, spec["name"]), records)
        results[which] = records
    # The files share no background text.
    tune, report = ({r["body"] for r, _, src in results[w] if src != "written for this corpus"}
                    for w in FILES)
    assert not tune & report
    return rows, stats, results


def print_stats(rows, stats, results, out_dir, data_dir):
    print(f"background rows read: {len(rows)}")
    for k in ["short", "long", "exact", "near", "kept"] + sorted(k for k in stats if k.startswith("kept ")):
        print(f"  {k:45} {stats[k]}")
    for path in dict.fromkeys(p for p, _, _ in SOURCES):
        with open(os.path.join(data_dir, path), "rb") as f:
            print(f"  sha256 {hashlib.sha256(f.read()).hexdigest()}  {path}")
    for which, records in results.items():
        name = FILES[which]["name"]
        size = os.path.getsize(os.path.join(out_dir, name))
        print(f"\n{name}: {len(records)} records, {size} bytes, seed {FILES[which]['seed']}")
        for title, key in (("label", lambda r, l, s: r["label"]), ("kind", lambda r, l, s: r["kind"]),
                           ("label x language", lambda r, l, s: r["label"] + " " + l),
                           ("text source", lambda r, l, s: s)):
            c = collections.Counter(key(r, l, s) for r, l, s in records)
            print(f"  {title}:")
            for k in sorted(c):
                print(f"    {k:34} {c[k]}")
        camps = collections.Counter(r["campaign"] for r, _, _ in records if "campaign" in r)
        sizes = sorted(camps.values())
        print(f"  campaigns: {len(camps)}, copies {sum(sizes)}, size min {sizes[0]} "
              f"median {sizes[len(sizes) // 2]} max {sizes[-1]}")
        authors = collections.Counter(r["author"] for r, _, _ in records)
        print(f"  authors: {len(authors)}; posting once {sum(1 for v in authors.values() if v == 1)}, "
              f"10+ times {sum(1 for v in authors.values() if v >= 10)}, most {max(authors.values())}")
        times = [r["time"] for r, _, _ in records]
        print(f"  time: {times[0]} .. {times[-1]} ({(times[-1] - times[0]) / 3600:.1f} h)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.environ.get("QUELL_DATA", os.path.join(REPO, "..", "shared", "data")),
                    help="the shared data directory (default: $QUELL_DATA or ../shared/data beside the repo)")
    ap.add_argument("--out", default=OUT_DIR, help="where to write the two files (default: eval/context)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary folder and compare with the files in --out")
    ap.add_argument("--stats", action="store_true", help="print the counts for SOURCE.txt")
    args = ap.parse_args()
    try:
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                generate(tmp, args.data)
                bad = [s["name"] for s in FILES.values()
                       if not os.path.exists(os.path.join(args.out, s["name"]))
                       or not filecmp.cmp(os.path.join(tmp, s["name"]), os.path.join(args.out, s["name"]),
                                          shallow=False)]
            if bad:
                print("gen_context_corpus.py: differs from the generator's output: " + ", ".join(bad),
                      file=sys.stderr)
                return 1
            print("gen_context_corpus.py: both files match the generator's output")
            return 0
        os.makedirs(args.out, exist_ok=True)
        rows, stats, results = generate(args.out, args.data)
    except OSError as e:
        print(f"gen_context_corpus.py: {e}: set QUELL_DATA to the shared data directory", file=sys.stderr)
        return 2
    if args.stats:
        print_stats(rows, stats, results, args.out, args.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
