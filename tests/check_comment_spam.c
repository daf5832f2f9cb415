/*
 * check_comment_spam.c - the shipped spam pack on comment spam (rules/spam/
 * comment.cfg): self-promotion, bait, money from home, crypto testimonials,
 * contact offers and fake support lines in English, Arabic and Arabizi are
 * flagged or held in the spam category; the news talk that shares their
 * words (Telegram channels, leaked WhatsApp messages, crypto, salaries,
 * "follow the money") scores nothing there; spam stays a separate category.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "quell.h"

static quell_rules *rules;
static quell_scanner *scanner;

static void setup(void)
{
    test_open_rules(test_default_rules(), &rules, &scanner);
}

static void teardown(void)
{
    test_close_rules(rules, scanner);
}

static const quell_verdict *scan(const char *body)
{
    return test_scan_body(scanner, body);
}


/* Whether rule_id fired in v. */
static int has_fired(const quell_verdict *v, const char *rule_id)
{
    for (size_t i = 0; i < v->rule_count; i++)
        if (strcmp(v->rules[i].rule_id, rule_id) == 0)
            return 1;
    return 0;
}

/* Comment spam, each with the spam score it must reach at least and the
 * least action it must get (flag: one spam-only phrase; hold: a contact
 * offer or a support line with a phone number); never reject. Written by
 * hand from the shapes in the issue, not from the rules' output. */
static const struct {
    const char *body;
    double min_spam;
    quell_action action;
} spam[] = {
    {"Subscribe to my channel for daily analysis, link in bio!", 3, QUELL_FLAG},
    {"Like this comment if you agree", 3, QUELL_FLAG},
    {"First!", 3, QUELL_FLAG},
    {"Who's here in 2024?", 3, QUELL_FLAG},
    {"I make $500 a day working from home, ask me how", 3, QUELL_FLAG},
    {"Thanks to Mrs Sarah Johnson, my account manager, I now earn $12,000 every week with bitcoin", 3, QUELL_FLAG},
    {"Hot singles in your area, click my profile", 3, QUELL_FLAG},
    {"Free robux at tinyurl.com/freerbx", 3, QUELL_FLAG},
    {"GIVEAWAY! Follow and retweet to win", 3, QUELL_FLAG},
    {"Selling verified Instagram accounts with 10k followers, cheap price", 3, QUELL_FLAG},
    {"Contact him on WhatsApp +1 (347) 555-0123, he recovered my funds", 6, QUELL_HOLD},
    {"Call Facebook support at 1-888-555-0143 for account recovery", 6, QUELL_HOLD},
    {"We are hiring home workers, $800 weekly, send your CV to jobs.now@example.com", 3, QUELL_FLAG},
    {"Congratulations, you won! Claim your prize in my bio", 3, QUELL_FLAG},
    {"\xd8\xa7\xd8\xb4\xd8\xaa\xd8\xb1\xd9\x83\xd9\x88\xd8\xa7 \xd9\x81\xd9\x8a \xd9\x82\xd9\x86\xd8\xa7\xd8\xaa\xd9\x8a \xd9\x88\xd9\x81\xd8\xb9\xd9\x84\xd9\x88\xd8\xa7 \xd8\xa7\xd9\x84\xd8\xac\xd8\xb1\xd8\xb3", 3, QUELL_FLAG}, /* اشتركوا في قناتي وفعلوا الجرس */
    {"\xd8\xaa\xd8\xa7\xd8\xa8\xd8\xb9\xd9\x88\xd9\x86\xd9\x8a \xd8\xb9\xd9\x84\xd9\x89 \xd8\xa7\xd9\x86\xd8\xb3\xd8\xaa\xd8\xba\xd8\xb1\xd8\xa7\xd9\x85", 3, QUELL_FLAG}, /* تابعوني على انستغرام */
    {"\xd8\xa7\xd8\xb9\xd9\x85\xd9\x84 \xd9\x85\xd9\x86 \xd8\xa7\xd9\x84\xd8\xa8\xd9\x8a\xd8\xaa \xd9\x88\xd8\xa7\xd8\xb1\xd8\xa8\xd8\xad 3000 \xd8\xaf\xd9\x88\xd9\x84\xd8\xa7\xd8\xb1 \xd8\xb4\xd9\x87\xd8\xb1\xd9\x8a\xd8\xa7", 3, QUELL_FLAG}, /* اعمل من البيت واربح 3000 دولار شهريا */
    {"\xd9\x84\xd9\x84\xd8\xaa\xd9\x88\xd8\xa7\xd8\xb5\xd9\x84 \xd9\x88\xd8\xa7\xd8\xaa\xd8\xb3\xd8\xa7\xd8\xa8 00966551234567", 6, QUELL_HOLD}, /* للتواصل واتساب 00966551234567 */
    {"\xd8\xa7\xd9\x84\xd9\x84\xd9\x8a \xd9\x8a\xd8\xa8\xd8\xba\xd9\x89 \xd9\x8a\xd8\xb9\xd8\xb1\xd9\x81 \xd9\x83\xd9\x8a\xd9\x81 \xd8\xb1\xd8\xa8\xd8\xad\xd8\xaa 10 \xd8\xa2\xd9\x84\xd8\xa7\xd9\x81 \xd8\xb1\xd9\x8a\xd8\xa7\xd9\x84 \xd9\x8a\xd9\x83\xd8\xaa\xd8\xa8 \xd8\xaa\xd9\x85", 3, QUELL_FLAG}, /* اللي يبغى يعرف كيف ربحت 10 آلاف ريال يكتب تم */
    {"Esh2tiko bl channel taba3i w 3mlo like", 3, QUELL_FLAG},
    {"chouf el profil dyali", 3, QUELL_FLAG},
    {"ana bsht8l mn l bet w b3mel 500$ bl yom, kalmni", 3, QUELL_FLAG},
    {"New video up on my channel breaking down the deal, go watch it", 3, QUELL_FLAG},
    {"Please support a small creator, I just started a YouTube channel, every sub helps", 3, QUELL_FLAG},
    {"Type AMEN if you want peace \xf0\x9f\x99\x8f", 3, QUELL_FLAG},
    {"Share this before they delete it!!!", 3, QUELL_FLAG},
    {"1 like = 1 prayer for the children", 3, QUELL_FLAG},
    {"We are giving away $500 to 10 people who comment below and follow our page", 3, QUELL_FLAG},
    {"Congrats! You've won a $1,000 Amazon gift card, claim it at giftclaim-now.xyz", 3, QUELL_FLAG},
    {"Lots of beautiful Arab women waiting to chat with you at datearab.love", 3, QUELL_FLAG},
    {"Instagram hacked? Contact their help desk on +1 (844) 555-0177", 3, QUELL_FLAG},
    {"Anyone who needs a reliable hacker to spy on a cheating spouse, message @cyberghost on Telegram", 3, QUELL_FLAG},
    {"Cheap sunglasses, 80% off, order at raybanoutlet.store", 3, QUELL_FLAG},
    {"Need a fake ID? DM me for prices", 3, QUELL_FLAG},
    {"\xd8\xb5\xd9\x81\xd8\xad\xd8\xaa\xd9\x8a \xd9\x81\xd9\x8a\xd9\x87\xd8\xa7 \xd9\x83\xd9\x84 \xd8\xa7\xd9\x84\xd8\xaa\xd9\x81\xd8\xa7\xd8\xb5\xd9\x8a\xd9\x84 \xd8\xa7\xd9\x84\xd9\x84\xd9\x8a \xd9\x85\xd8\xa7 \xd8\xaa\xd9\x86\xd8\xb4\xd8\xb1\xd9\x87\xd8\xa7 \xd8\xa7\xd9\x84\xd9\x82\xd9\x86\xd9\x88\xd8\xa7\xd8\xaa\xd8\x8c \xd8\xa7\xd8\xaf\xd8\xae\xd9\x84\xd9\x88\xd8\xa7 \xd9\x88\xd8\xaa\xd8\xa7\xd8\xa8\xd8\xb9\xd9\x88\xd8\xa7", 3, QUELL_FLAG}, /* صفحتي فيها كل التفاصيل اللي ما تنشرها القنوات، ادخلوا وتابعوا */
    {"\xd8\xa7\xd9\x83\xd8\xaa\xd8\xa8 \xd8\xb3\xd8\xa8\xd8\xad\xd8\xa7\xd9\x86 \xd8\xa7\xd9\x84\xd9\x84\xd9\x87 \xd9\x88\xd8\xb4\xd8\xa7\xd8\xb1\xd9\x83 \xd8\xaa\xd8\xa4\xd8\xac\xd8\xb1", 3, QUELL_FLAG}, /* اكتب سبحان الله وشارك تؤجر */
    {"\xd8\xb3\xd8\xad\xd8\xa8 \xd8\xb9\xd9\x84\xd9\x89 5 \xd8\xac\xd9\x88\xd8\xa7\xd9\x84\xd8\xa7\xd8\xaa \xd8\xa8\xd9\x8a\xd9\x86 \xd8\xa7\xd9\x84\xd9\x85\xd8\xaa\xd8\xa7\xd8\xa8\xd8\xb9\xd9\x8a\xd9\x86\xd8\x8c \xd8\xaa\xd8\xa7\xd8\xa8\xd8\xb9 \xd8\xa7\xd9\x84\xd8\xad\xd8\xb3\xd8\xa7\xd8\xa8 \xd9\x88\xd8\xb4\xd8\xa7\xd8\xb1\xd9\x83 \xd8\xa7\xd9\x84\xd9\x85\xd9\x86\xd8\xb4\xd9\x88\xd8\xb1", 3, QUELL_FLAG}, /* سحب على 5 جوالات بين المتابعين، تابع الحساب وشارك المنشور */
    {"\xd8\xaa\xd8\xac\xd8\xb1\xd8\xa8\xd8\xaa\xd9\x8a \xd9\x85\xd8\xb9 \xd8\xa7\xd9\x84\xd8\xb4\xd9\x8a\xd8\xae \xd8\xa3\xd8\xa8\xd9\x88 \xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd9\x81\xd9\x8a \xd9\x81\xd9\x83 \xd8\xa7\xd9\x84\xd8\xb3\xd8\xad\xd8\xb1 \xd8\xb1\xd8\xa7\xd8\xa6\xd8\xb9\xd8\xa9\xd8\x8c \xd8\xb1\xd9\x82\xd9\x85\xd9\x87 00966501234567", 3, QUELL_FLAG}, /* تجربتي مع الشيخ أبو محمد في فك السحر رائعة، رقمه 00966501234567 */
    {"eshtarkou bel qanat taba3i 3al youtube ya shabab", 3, QUELL_FLAG},
    {"eli bye7eb falastin y3mel like w share", 3, QUELL_FLAG},
    {"erba7 200 dollar kol esbou3 mn tele el bet, kalmouni 3al whatsapp", 3, QUELL_FLAG},
    {"kasabt 2000 dollar fi jom3a ma3 el ostaz Samir, ra2amo 3andi", 3, QUELL_FLAG},
    {"sbaya 7elwin bado ta3aruf, add me 3al snap \xf0\x9f\x98\x98", 3, QUELL_FLAG},
    {"giveaway: 3 iphones, follow w share w tag s7abkon", 3, QUELL_FLAG},
    {"Watch the match live free tonight, HD stream here livefoot.xyz", 3, QUELL_FLAG},
    {"I post updates from Gaza on my Instagram every day, would mean a lot if you followed", 3, QUELL_FLAG},
    {"\xd8\xb3\xd8\xac\xd9\x84 \xd8\xa7\xd9\x84\xd8\xa2\xd9\x86 \xd9\x81\xd9\x8a \xd9\x85\xd9\x86\xd8\xb5\xd8\xa9 \xd8\xa7\xd9\x84\xd8\xaa\xd8\xaf\xd8\xa7\xd9\x88\xd9\x84 \xd9\x88\xd8\xa7\xd8\xad\xd8\xb5\xd9\x84 \xd8\xb9\xd9\x84\xd9\x89 \xd8\xa8\xd9\x88\xd9\x86\xd8\xb5 100 \xd8\xaf\xd9\x88\xd9\x84\xd8\xa7\xd8\xb1", 3, QUELL_FLAG}, /* سجل الآن في منصة التداول واحصل على بونص 100 دولار */
    {"eli baddo ysht8l online w ykseb 100$ bel yom y7ot ana bel comment", 3, QUELL_FLAG},
    {"Best forex signals, join us now on Telegram", 3, QUELL_FLAG},
    /* promised returns, a free-money lure, a chat invitation, a giveaway
     * asking for contact details, joining a channel for tips */
    {"invest in bitcoin with me and double your money in a week", 3, QUELL_FLAG},
    {"bit.ly/3xYz free money", 3, QUELL_FLAG},
    {"lonely? chat with girls tonight at my profile", 3, QUELL_FLAG},
    {"free iphone giveaway, comment your email", 3, QUELL_FLAG},
    {"\xd8\xaa\xd9\x88\xd8\xb5\xd9\x8a\xd8\xa7\xd8\xaa \xd9\x81\xd9\x88\xd8\xb1\xd9\x83\xd8\xb3 "
     "\xd9\x85\xd8\xac\xd8\xa7\xd9\x86\xd9\x8a\xd8\xa9 \xd8\xa7\xd9\x86\xd8\xb6\xd9\x85 "
     "\xd9\x84\xd9\x82\xd9\x86\xd8\xa7\xd8\xa9 \xd8\xa7\xd9\x84\xd8\xaa\xd9\x84\xd8\xba\xd8\xb1\xd8\xa7\xd9\x85",
     3, QUELL_FLAG}, /* توصيات فوركس مجانية انضم لقناة التلغرام */
};

START_TEST(test_spam_caught)
{
    const quell_verdict *v = scan(spam[_i].body);
    double score = test_category_score(v, "spam");
    ck_assert_msg(score >= spam[_i].min_spam, "\"%s\": spam %.1f, expected at least %.1f",
                  spam[_i].body, score, spam[_i].min_spam);
    ck_assert_msg(v->action >= spam[_i].action && v->action != QUELL_REJECT,
                  "\"%s\" gets %s, not at least %s", spam[_i].body,
                  quell_action_name(v->action), quell_action_name(spam[_i].action));
}
END_TEST

/* News comments that share comment spam's words: no spam score at all, or
 * a signal too weak to flag, and the comment passes. */
static const char *const ham[] = {
    "Hamas posted the video on its Telegram channel on Tuesday.",
    "The militia recruits teenagers through TikTok and Telegram channels, the article says.",
    "WhatsApp messages between the ministers were leaked to the press.",
    "Crypto regulation in the UAE is finally catching up, and bitcoin fell again.",
    "Follow the money: who funds these militias?",
    "I subscribe to the newspaper because of reporting like this.",
    "Good piece. The BBC had more: https://www.bbc.com/news/world-middle-east",
    "Teachers in Gaza earn $300 a month, if they get paid at all.",
    "He earned $500 a day as a smuggler before the border closed.",
    "Many Syrians work from home now because offices have no electricity.",
    "First, the ceasefire must hold. Second, aid must get in.",
    "Like I said last week, the talks will fail.",
    "Scammers targeted refugees with fake UNHCR WhatsApp numbers.",
    "Hope the victims of the crypto scam get their money back.",
    "the tax giveaway to the rich will not win votes",
    "The UN is hiring nurses for Gaza, salaries of $800 a month, the article says.",
    "Lebanon's banks stopped personal loans in 2019.",
    "Made in China flag pins sent back to the Conservatives: http://tinyurl.com/dmt397",
    "I would have told you so in my bio.",
    "\xd9\x86\xd8\xb4\xd8\xb1\xd8\xaa \xd8\xa7\xd9\x84\xd9\x85\xd9\x8a\xd9\x84\xd9\x8a\xd8\xb4\xd9\x8a\xd8\xa7 \xd8\xa8\xd9\x8a\xd8\xa7\xd9\x86\xd9\x87\xd8\xa7 \xd8\xb9\xd9\x84\xd9\x89 \xd9\x82\xd9\x86\xd8\xa7\xd8\xaa\xd9\x87\xd8\xa7 \xd9\x81\xd9\x8a \xd8\xaa\xd9\x84\xd9\x8a\xd8\xac\xd8\xb1\xd8\xa7\xd9\x85", /* نشرت الميليشيا بيانها على قناتها في تليجرام */
    "\xd8\xaa\xd8\xb3\xd8\xb1\xd9\x8a\xd8\xa8 \xd8\xb1\xd8\xb3\xd8\xa7\xd8\xa6\xd9\x84 \xd9\x88\xd8\xa7\xd8\xaa\xd8\xb3\xd8\xa7\xd8\xa8 \xd8\xa8\xd9\x8a\xd9\x86 \xd8\xa7\xd9\x84\xd9\x88\xd8\xb2\xd8\xb1\xd8\xa7\xd8\xa1 \xd9\x81\xd8\xb6\xd9\x8a\xd8\xad\xd8\xa9", /* تسريب رسائل واتساب بين الوزراء فضيحة */
    "\xd8\xb1\xd8\xa7\xd8\xaa\xd8\xa8 \xd8\xa7\xd9\x84\xd9\x85\xd8\xb9\xd9\x84\xd9\x85 \xd9\x81\xd9\x8a \xd8\xb3\xd9\x88\xd8\xb1\xd9\x8a\xd8\xa7 \xd9\x84\xd8\xa7 \xd9\x8a\xd8\xaa\xd8\xac\xd8\xa7\xd9\x88\xd8\xb2 25 \xd8\xaf\xd9\x88\xd9\x84\xd8\xa7\xd8\xb1 \xd8\xb4\xd9\x87\xd8\xb1\xd9\x8a\xd8\xa7", /* راتب المعلم في سوريا لا يتجاوز 25 دولار شهريا */
    "\xd8\xa7\xd9\x84\xd8\xb9\xd9\x85\xd9\x84 \xd9\x85\xd9\x86 \xd8\xa7\xd9\x84\xd9\x85\xd9\x86\xd8\xb2\xd9\x84 \xd8\xa3\xd8\xb5\xd8\xa8\xd8\xad \xd8\xb6\xd8\xb1\xd9\x88\xd8\xb1\xd8\xa9 \xd9\x81\xd9\x8a \xd8\xb8\xd9\x84 \xd8\xa7\xd9\x86\xd9\x82\xd8\xb7\xd8\xa7\xd8\xb9 \xd8\xa7\xd9\x84\xd9\x83\xd9\x87\xd8\xb1\xd8\xa8\xd8\xa7\xd8\xa1", /* العمل من المنزل أصبح ضرورة في ظل انقطاع الكهرباء */
    "\xd8\xaa\xd8\xa7\xd8\xa8\xd8\xb9\xd9\x88\xd8\xa7 \xd9\x85\xd8\xb9\xd9\x86\xd8\xa7 \xd8\xa7\xd9\x84\xd8\xaa\xd8\xba\xd8\xb7\xd9\x8a\xd8\xa9 \xd8\xa7\xd9\x84\xd9\x85\xd8\xa8\xd8\xa7\xd8\xb4\xd8\xb1\xd8\xa9 \xd9\x84\xd9\x84\xd8\xa3\xd8\xad\xd8\xaf\xd8\xa7\xd8\xab \xd9\x81\xd9\x8a \xd8\xba\xd8\xb2\xd8\xa9", /* تابعوا معنا التغطية المباشرة للأحداث في غزة */
    "el 7ezb nashar el bayan 3ala telegram",
    "sakkaro el page taba3i 3al facebook la2enne nasharet sowar mn ghazze",
    "\xd9\x86\xd8\xb4\xd8\xb1\xd8\xaa \xd8\xb9\xd9\x84\xd9\x89 \xd8\xb5\xd9\x81\xd8\xad\xd8\xaa\xd9\x8a \xd8\xb5\xd9\x88\xd8\xb1 \xd8\xa7\xd9\x84\xd8\xaf\xd9\x85\xd8\xa7\xd8\xb1 \xd9\x81\xd9\x8a \xd8\xae\xd8\xa7\xd9\x86 \xd9\x8a\xd9\x88\xd9\x86\xd8\xb3 \xd9\x81\xd8\xad\xd8\xb0\xd9\x81\xd9\x87\xd8\xa7 \xd9\x81\xd9\x8a\xd8\xb3\xd8\xa8\xd9\x88\xd9\x83.", /* نشرت على صفحتي صور الدمار في خان يونس فحذفها فيسبوك. */
    "Share this article with your MP, the arms sales have to stop.",
    "Hackers linked to Iran took down the ministry's website last week.",
    "Amen, may God protect the children of Gaza.",
    "@sam text me when the article is out",
    "The helpline for refugees in Jordan hardly answers, my aunt tried for weeks.",
    "Prices rose 80% in Beirut this year, see reuters.com",
    "Mr. Trump made $50 million from crypto investments, the report says.",
    "I used to follow this journalist on Instagram until she defended the war.",
};

START_TEST(test_news_passes)
{
    const quell_verdict *v = scan(ham[_i]);
    ck_assert_msg(test_category_score(v, "spam") < 3.0 && v->action == QUELL_PASS,
                  "\"%s\" gets %s, spam %.1f", ham[_i], quell_action_name(v->action),
                  test_category_score(v, "spam"));
}
END_TEST

/* The combinations need every part: a money amount, "from home" and an
 * earning word; a contact offer and a phone number. */
START_TEST(test_combinations_need_every_part)
{
    ck_assert_double_eq(test_category_score(scan("I got $500 for my car"), "spam"), 0.0);
    const quell_verdict *v = scan("I write this from my home in Gaza");
    ck_assert(has_fired(v, "spam.cs.home"));
    ck_assert_double_eq(test_category_score(v, "spam"), 0.0);
    v = scan("I earn $500 a week from home");
    ck_assert(has_fired(v, "spam.cs.home.money"));

    /* A phone number alone is the pii pack's (held there), not spam. */
    v = scan("my number is +971 50 123 4567");
    ck_assert_double_eq(test_category_score(v, "spam"), 0.0);
    ck_assert_int_eq(v->action, QUELL_HOLD);
    /* With a contact offer it is spam too: the pii rule counts by id. */
    v = scan("contact her on WhatsApp +971 50 123 4567");
    ck_assert(has_fired(v, "spam.cs.contact.phone"));
    ck_assert_double_ge(test_category_score(v, "spam"), 6.0);
}
END_TEST

/* Spam is separate: it holds but never rejects however much there is, and
 * it does not add to abuse (a rude word beside a spam phrase stays a flag). */
START_TEST(test_spam_is_separate)
{
    const quell_verdict *v =
        scan("Subscribe to my channel! Like this comment! Free robux at bit.ly/x1 "
             "contact him on WhatsApp +1 (347) 555-0123, my account manager Mrs Linda, thanks to "
             "her I earn $900 a day with bitcoin from home");
    ck_assert_double_eq(test_category_score(v, "spam"), 8.0); /* the cap */
    ck_assert_int_eq(v->action, QUELL_HOLD);

    v = scan("what an idiot. link in bio");
    ck_assert_double_ge(test_category_score(v, "insult"), 3.0);
    ck_assert_double_ge(test_category_score(v, "spam"), 3.0);
    ck_assert_msg(v->score < 6.0, "score %.1f: spam added to the insult", v->score);
    ck_assert_int_eq(v->action, QUELL_FLAG);
}
END_TEST

/* Self-promotion needs both parts: the writer's own outlet and a call to
 * act on it, within a few words; a handle scores only after a contact verb;
 * a hacker for hire only beside a way to reach him. */
START_TEST(test_promotion_needs_a_call)
{
    const quell_verdict *v = scan("I posted the photos on my channel last year");
    ck_assert(has_fired(v, "spam.cs.own"));
    ck_assert(!has_fired(v, "spam.cs.own.cta"));
    ck_assert_double_eq(test_category_score(v, "spam"), 0.0);
    v = scan("I posted the photos on my channel, go watch them");
    ck_assert(has_fired(v, "spam.cs.own.cta"));
    ck_assert_double_ge(test_category_score(v, "spam"), 3.0);
    /* Too far apart: the call is about something else. */
    v = scan("my channel was closed in March after the army raided the office and took "
             "every camera we had, so please watch the BBC instead");
    ck_assert(!has_fired(v, "spam.cs.own.cta"));

    ck_assert(!has_fired(scan("@sam text me when it is out"), "spam.cs.handle.contact"));
    ck_assert(has_fired(scan("text @sam_fx on Telegram"), "spam.cs.handle.contact"));

    v = scan("Anyone who needs a reliable hacker?");
    ck_assert(has_fired(v, "spam.cs.hacker"));
    ck_assert_double_eq(test_category_score(v, "spam"), 0.0);
    v = scan("Anyone who needs a reliable hacker? WhatsApp +44 7700 900412");
    ck_assert(has_fired(v, "spam.cs.hacker.contact"));
    ck_assert_int_ne(v->action, QUELL_REJECT);
}
END_TEST

/* A shortened link's hit covers the link in the original bytes. */
START_TEST(test_shortlink_span)
{
    const char *body = "My private photos \xf0\x9f\x98\x98 bit.ly/3kLpQ2z";
    const quell_verdict *v = scan(body);
    const char *at = strstr(body, "bit.ly/3kLpQ2z");
    size_t start = (size_t)(at - body);
    int is_found = 0;
    for (size_t i = 0; i < v->hit_count; i++)
        if (strcmp(v->hits[i].rule_id, "spam.cs.shortlink") == 0)
            is_found = v->hits[i].start == start && v->hits[i].end == strlen(body);
    ck_assert_msg(is_found, "no spam.cs.shortlink hit on \"bit.ly/3kLpQ2z\"");
}
END_TEST

Suite *comment_spam_suite(void)
{
    Suite *s = suite_create("comment_spam");
    TCase *tc = tcase_create("Pack");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_spam_caught, 0, sizeof spam / sizeof spam[0]);
    tcase_add_loop_test(tc, test_news_passes, 0, sizeof ham / sizeof ham[0]);
    tcase_add_test(tc, test_combinations_need_every_part);
    tcase_add_test(tc, test_spam_is_separate);
    tcase_add_test(tc, test_shortlink_span);
    tcase_add_test(tc, test_promotion_needs_a_call);
    suite_add_tcase(s, tc);
    return s;
}
