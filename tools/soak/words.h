/*
 * words.h - the soak generator's built-in vocabulary: everyday comment words in
 * English, Arabic and Arabizi, hand-written for the soak, and a few abusive
 * words for when no rules lists are given (gen_words_add adds those).
 */
#ifndef SOAK_WORDS_H
#define SOAK_WORDS_H

static const char *const clean_en[] = {
    "the",       "a",         "and",      "of",         "to",       "in",          "is",
    "it",        "this",      "that",     "was",        "for",      "on",          "with",
    "as",        "I",         "you",      "they",       "we",       "he",          "she",
    "not",       "but",       "what",     "all",        "were",     "when",        "there",
    "can",       "more",      "if",       "no",         "out",      "so",          "said",
    "up",        "about",     "than",     "them",       "into",     "people",      "government",
    "article",   "thanks",    "great",    "reporting",  "story",    "council",     "budget",
    "school",    "teachers",  "road",     "traffic",    "weather",  "rain",        "match",
    "team",      "coach",     "goal",     "season",     "vote",     "election",    "minister",
    "policy",    "taxes",     "prices",   "housing",    "rent",     "doctor",      "hospital",
    "river",     "park",      "bridge",   "library",    "museum",   "concert",     "festival",
    "writer",    "photo",     "opinion",  "agree",      "disagree", "interesting", "important",
    "wrong",     "right",     "maybe",    "really",     "never",    "always",      "today",
    "yesterday", "tomorrow",  "week",     "year",       "city",     "village",     "country",
    "world",     "news",      "local",    "report",     "question", "answer",      "reason",
    "problem",   "solution",  "cocktail", "Scunthorpe", "assassin", "classic",     "grass",
    "passion",   "analysis",  "Dickens",  "shitake",    "hello",    "well",        "done",
    "excellent", "brilliant", "sad",      "happy",
};

static const char *const clean_ar[] = {
    "في",        "من",         "على",        "هذا",           "هذه",
    "كان",       "ان",         "لا",         "نعم",           "الى",
    "مع",        "عن",         "كل",         "بعد",           "قبل",
    "اليوم",     "الناس",      "العالم",     "الحق",          "السلام عليكم",
    "مصر",       "الاردن",     "لبنان",      "سوريا",         "الخليج",
    "فلسطين",    "العراق",     "المغرب",     "تونس",          "الجزائر",
    "السعودية",  "الامارات",   "قطر",        "الكويت",        "رمضان كريم",
    "مبروك",     "الوطن",      "الحرية",     "الاقتصاد",      "الاسعار",
    "غالية",     "العمل",      "الشباب",     "المستقبل",      "التعليم",
    "المدارس",   "الصحة",      "المستشفى",   "الطريق",        "الماء",
    "الكهرباء",  "الجو",       "حار",        "بارد",          "المطر",
    "الفريق",    "المباراة",   "هدف",        "اللاعب",        "المدرب",
    "الفوز",     "الخسارة",    "صح",         "خطأ",           "رأي",
    "اعتقد",     "ممكن",       "يجب",        "نريد",          "نحن",
    "انتم",      "هم",         "والله",      "ان شاء الله",   "ما شاء الله",
    "الحمد لله", "تحياتي",     "احسنت",      "بارك الله فيك", "خبر",
    "مهم",       "جدا",        "كثير",       "قليل",          "افضل",
    "شكرا",      "جميل",       "مقال",       "رائع",          "الاخبار",
    "الحكومة",   "الشعب",      "الرئيس",     "البلد",         "الوزير",
    "البرلمان",  "الانتخابات", "المدينة",    "القرية",        "مُبارَك",
    "الـعـمـل",  "يا جماعة",   "صباح الخير", "مساء النور",
};

static const char *const clean_arabizi[] = {
    "ana",       "enta",       "enti",          "ya3ni",      "shukran",   "7abibi",   "inshallah",
    "mashallah", "ahlan",      "wallah",        "mish",       "3ayez",     "kteer",    "7elw",
    "tamam",     "ya rab",     "el7amdulillah", "bas",        "lesh",      "shu",      "kifak",
    "mnee7",     "5alas",      "sa7",           "3ala",       "el",        "balad",    "sha3b",
    "ra2ees",    "el 7okooma", "el akhbar",     "ma3lesh",    "3alatool",  "yalla",    "mabrook",
    "salam",     "habibi",     "ta3leem",       "el madrase", "el mobara", "el fari2", "2ahwa",
    "shai",      "bokra",      "embare7",       "hala2",      "kaman",     "aktar",    "a2al",
    "mazboot",
};

/* Used when no rules lists are given; gen_words_add adds the shipped ones. */
static const char *const abusive_en[] = {"idiot", "moron",   "stupid",  "shit",
                                         "fuck",  "bastard", "scumbag", "dumbass"};
static const char *const abusive_ar[] = {"غبي", "حمار", "حقير", "كلب", "تافه", "يلعن"};
static const char *const abusive_arabizi[] = {
    "7mar",     "ya 7mar", "kalb",    "ibn el kalb", "5ara", "khara",      "sharmoota", "a7a",
    "ya ghabi", "5anzeer", "ya wes5", "kos omak",    "3ars", "ya 7ayawan", "tafeh",     "ahbal",
};

static const char *const extras[] = {
    "😀",
    "👍",
    "🔥",
    "❤️",
    "😡",
    "🙏🏽",
    "2024",
    "١٢٣",
    "3.5",
    "100%",
    "https://example.com/a?b=1",
    "www.example.org",
    "reader@example.com",
    "@User.123",
    "#news",
    "!!!",
    "؟",
    "...",
    "،",
    "(sic)",
    "\"quoted\"",
    "back\\slash",
    "a/b",
    "<b>",
    "&amp;",
    "tab\there",
    "café",
    "naïve",
    "Ｆｕｌｌｗｉｄｔｈ",
    "+44 20 7946 0958",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#endif /* SOAK_WORDS_H */
