/*
 * normalise.c - the folded and skeleton views of a comment, each byte mapped
 * back to the original: one decode-and-look-up pass over per-code-point
 * tables computed once from utf8proc and the generated maps (norm_data.c).
 */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
/* SSSE3's byte shuffle, used only when the CPU has it (norm_tables.ssse3),
 * in functions compiled for it. */
#include <tmmintrin.h>
#endif

#include <utf8proc.h>

#include "quell.h"
#include "dict_data.h"
#include "norm_data.h"
#include "normalise.h"
#include "util/grow.h"

/*
 * Both tables are two-stage: stage1[cp >> 8] picks a block of 256 entries in
 * stage2. Most blocks are alike (unassigned, or letters that stay), so equal
 * blocks are stored once.
 */
#define BLOCK_SHIFT 8
#define BLOCK_SIZE  (1u << BLOCK_SHIFT)
#define BLOCK_COUNT (0x110000u >> BLOCK_SHIFT)

/*
 * A fold entry is 0 when the character stays as it is. Otherwise its low byte
 * is the length of its replacement, found at (entry >> 8) in the fold pool;
 * or, when that byte is 0, the entry is FOLD_DROP or FOLD_SPACE.
 */
#define FOLD_KEEP  0u
#define FOLD_DROP  (1u << 8)
#define FOLD_SPACE (2u << 8)

/*
 * A skeleton entry holds a class (bits 0-1), leet positions (2-4, the
 * NORM_LEET_* mask), whether the character is Arabic script (5), and a
 * replacement of up to 8 ASCII letters: length in bits 8-11, offset in the
 * skeleton pool from bit 12.
 */
#define SK_OTHER     0u
#define SK_LETTER    1u
#define SK_SEP       2u
#define SK_LEET      3u
#define SK_CLASS(e)  ((e)&3u)
#define SK_WHERE(e)  (((e) >> 2) & 7u)
#define SK_ARABIC    0x20u
#define SK_LEN(e)    (((e) >> 8) & 15u)
#define SK_OFF(e)    ((e) >> 12)
#define SK_OFF_LIMIT (1u << 20)

/*
 * A small fold entry, for a character of one or two bytes whose fold is at
 * most two bytes (or nothing, or a space): the output bytes in bits 0-15,
 * their count in bits 16-17, FOLD_SMALL_SPACE for white space (one ' ',
 * unless a space was just written) and FOLD_SMALL_OK when the entry holds
 * all that. Others (longer folds) take fold_put.
 */
#define FOLD_SMALL_LEN(e) (((e) >> 16) & 3u)
#define FOLD_SMALL_SPACE  (1u << 18)
#define FOLD_SMALL_OK     (1u << 19)

/* NFKC with full case folding, marks and default-ignorables removed (the
 * canonical composition is a second step, utf8proc_normalize_utf32). */
#define FOLD_OPTIONS                                                                               \
    (UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |               \
     UTF8PROC_IGNORE)

/* The longest decomposition in Unicode is 18 code points (U+FDFA). */
#define FOLD_MAX_CPS 32

/* Hot-path helpers, inlined whatever the optimiser's budget. */
#define HOT static inline __attribute__((always_inline))

/* Read slack after a pool, so a short replacement is copied as 4 bytes. */
#define POOL_SLACK 8

static const unsigned char replacement_char[3] = {0xEF, 0xBF, 0xBD}; /* U+FFFD */

#ifdef __SSE2__
/*
 * A set of bytes (ASCII: row = high nibble, 0-7) or of the two-byte
 * characters of U+0600-U+06FF (row = the lead's bit 0 and the
 * continuation's bits 4-5, lo[1] for leads 0xDA-0xDB), as a bit per row
 * for each low nibble: tested 16 bytes at a time with two byte shuffles.
 */
struct nib_set {
    unsigned char lo[2][16];
};
#endif

struct norm_tables {
    uint16_t fold_stage1[BLOCK_COUNT];
    uint16_t skel_stage1[BLOCK_COUNT];
    const uint32_t *skel_ascii;
    /* Copies of the entries of U+0000..U+07FF, the one- and two-byte
     * characters, so the hot paths look them up with one load. */
    uint32_t fold2[0x800];
    uint32_t skel2[0x800];
    /* The same characters' folds as a step without branches (FOLD_SMALL_*):
     * what most of an English or Arabic comment is made of. */
    uint32_t fold_small[0x800];
    /* Per byte, what the skeleton's vector path needs to know of it: bit 0
     * (SKEL_VEC_BAD) for a byte it leaves to the scalar path, bit 16
     * (SKEL_VEC_SEP) for a separator. */
    uint32_t skel_vec[256];
    /* Per character of one or two bytes, what skel_mixed16 needs to know of
     * it: bit 0 for a character it leaves to the scalar path (a separator,
     * a leet key, a letter a table replaces), bit 16 for a letter. */
    uint32_t skel_small[0x800];
#ifdef __SSE2__
    /* The same as nibble sets for SSSE3's byte shuffle, when the CPU has
     * it (ssse3): ASCII bytes the skeleton's vectors leave to the scalar
     * path, and separators; the two-byte characters of U+0600-U+06FF (the
     * Arabic block) each vector must look at: letters, characters the
     * skeleton leaves to the scalar path, and characters whose fold is not
     * themselves (changed) or not two bytes (not kept). */
    bool ssse3;
    struct nib_set skel_bad1, skel_sep1;
    /* ASCII leet keys by the places they stand for a letter in (NORM_LEET_*
     * of the leet map), and bytes that are surely no letter (class other
     * or separator), for the leet runs skel_ascii16 settles itself. */
    struct nib_set skel_leet1, leet_start1, leet_inner1, leet_end1, skel_nonletter1;
    struct nib_set skel_letter2, skel_bad2, fold_changed2, fold_bad2;
#endif
    uint32_t *fold_stage2;
    uint32_t *skel_stage2;
    unsigned char *fold_pool;
    unsigned char *skel_pool;
    size_t fold_room; /* the most bytes one step of norm_fold appends */
};

/* ------------------------------------------------------------------------ */
/* Building the tables                                                       */

/* Distinct blocks of 256 entries, found again by a hash of their contents. */
struct block_set {
    uint32_t *blocks;
    size_t count;
    size_t cap;
    uint16_t slots[8192]; /* block index + 1; 0 is empty. More than BLOCK_COUNT. */
};

/* A growable byte pool. */
struct pool {
    unsigned char *bytes;
    size_t len;
    size_t cap;
};

static uint32_t block_hash(const uint32_t *block)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < BLOCK_SIZE; i++)
        h = (h ^ block[i]) * 16777619u;
    return h;
}

/* Store block (or find its twin); *index receives its number. */
static int block_set_add(struct block_set *set, const uint32_t *block, uint16_t *index)
{
    const size_t mask = sizeof set->slots / sizeof set->slots[0] - 1;
    size_t slot = block_hash(block) & mask;
    while (set->slots[slot]) {
        size_t i = set->slots[slot] - 1u;
        if (memcmp(set->blocks + i * BLOCK_SIZE, block, BLOCK_SIZE * sizeof *block) == 0) {
            *index = (uint16_t)i;
            return QUELL_OK;
        }
        slot = (slot + 1) & mask;
    }
    uint32_t *blocks = grow_array(set->blocks, &set->cap, set->count + 1,
                                  BLOCK_SIZE * sizeof *blocks, 64, BLOCK_COUNT);
    if (!blocks)
        return QUELL_ENOMEM;
    set->blocks = blocks;
    memcpy(set->blocks + set->count * BLOCK_SIZE, block, BLOCK_SIZE * sizeof *block);
    *index = (uint16_t)set->count;
    set->slots[slot] = (uint16_t)(++set->count);
    return QUELL_OK;
}

/* Append bytes to a pool; *off receives where they start. */
static int pool_add(struct pool *pool, const unsigned char *bytes, size_t len, size_t *off)
{
    size_t need;
    /* Catch size_t overflow */
    if (__builtin_add_overflow(pool->len, len + POOL_SLACK, &need))
        return QUELL_ENOMEM;
    size_t old_cap = pool->cap;
    unsigned char *grown = grow_array(pool->bytes, &pool->cap, need, 1, 4096, GROW_UNCAPPED);
    if (!grown)
        return QUELL_ENOMEM;
    /* The slack is read (and ignored) by 4-byte copies: define it. */
    if (pool->cap > old_cap)
        memset(grown + old_cap, 0, pool->cap - old_cap);
    pool->bytes = grown;
    memcpy(pool->bytes + pool->len, bytes, len);
    *off = pool->len;
    pool->len += len;
    return QUELL_OK;
}

/* The map entry for cp, or NULL. */
static const struct norm_map_entry *map_find(const struct norm_map_entry *map, size_t count,
                                             uint32_t cp)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (map[mid].cp < cp)
            lo = mid + 1;
        else if (map[mid].cp > cp)
            hi = mid;
        else
            return &map[mid];
    }
    return NULL;
}

/*
 * The build visits code points in increasing order, so it walks each sorted
 * map with a cursor instead of searching it 1.1 million times.
 */
struct builder {
    struct pool fold_pool;
    struct pool skel_pool;
    size_t arabic_pos;     /* in norm_arabic_map */
    size_t confusable_pos; /* in norm_confusable_map */
    size_t leet_pos;       /* in norm_leet_map */
    size_t range_pos;      /* in norm_arabic_ranges */
};

static const struct norm_map_entry *map_next(const struct norm_map_entry *map, size_t count,
                                             size_t *pos, uint32_t cp)
{
    while (*pos < count && map[*pos].cp < cp)
        (*pos)++;
    return *pos < count && map[*pos].cp == cp ? &map[*pos] : NULL;
}

static bool is_arabic_next(size_t *pos, uint32_t cp)
{
    while (*pos < norm_arabic_ranges_count && norm_arabic_ranges[*pos].last < cp)
        (*pos)++;
    return *pos < norm_arabic_ranges_count && norm_arabic_ranges[*pos].first <= cp;
}

static bool is_ascii_space(uint32_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_mark(utf8proc_propval_t category)
{
    return category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC ||
           category == UTF8PROC_CATEGORY_ME;
}

/* Append the fold of cp, as utf8proc gives it with the Arabic map on top. */
static size_t fold_compute(int32_t cp, unsigned char *out)
{
    utf8proc_int32_t cps[FOLD_MAX_CPS];
    int boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, cps, FOLD_MAX_CPS, FOLD_OPTIONS, &boundclass);
    if (n < 0 || n > FOLD_MAX_CPS) {
        /* Not for any assigned code point: keep the character. */
        return (size_t)utf8proc_encode_char(cp, out);
    }
    n = utf8proc_normalize_utf32(cps, n, UTF8PROC_COMPOSE);
    size_t len = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        const struct norm_map_entry *m =
            map_find(norm_arabic_map, norm_arabic_map_count, (uint32_t)cps[i]);
        if (m) {
            memcpy(out + len, m->utf8, m->len);
            len += m->len;
        } else {
            len += (size_t)utf8proc_encode_char(cps[i], out + len);
        }
    }
    return len;
}

/* The fold entry of cp. */
static int fold_entry(struct builder *b, uint32_t cp, const utf8proc_property_t *prop,
                      uint32_t *entry)
{
    struct pool *pool = &b->fold_pool;
    *entry = FOLD_KEEP;
    if (cp < 0x80) {
        if (is_ascii_space(cp)) {
            *entry = FOLD_SPACE;
        } else if (cp >= 'A' && cp <= 'Z') {
            unsigned char lower = (unsigned char)(cp | 0x20);
            size_t off;
            if (pool_add(pool, &lower, 1, &off) != QUELL_OK)
                return QUELL_ENOMEM;
            *entry = (uint32_t)(off << 8) | 1u;
        }
        return QUELL_OK;
    }
    utf8proc_propval_t cat = prop->category;
    if (cat == UTF8PROC_CATEGORY_CN || cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CS)
        return QUELL_OK;
    /* White_Space is exactly Zs, Zl, Zp, the ASCII spaces and U+0085. */
    if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP ||
        cp == 0x85) {
        *entry = FOLD_SPACE;
        return QUELL_OK;
    }
    /* Most code points have nothing for utf8proc to do: no decomposition,
     * no case folding, not ignorable, not a mark, not a Hangul syllable
     * (those decompose by rule and compose back). Skipping them keeps the
     * build within a few milliseconds. */
    bool is_hangul = cp >= 0xAC00 && cp <= 0xD7A3;
    if (prop->decomp_seqindex == UINT16_MAX && prop->casefold_seqindex == UINT16_MAX &&
        !prop->ignorable && !is_mark(cat) && !is_hangul &&
        !map_next(norm_arabic_map, norm_arabic_map_count, &b->arabic_pos, cp))
        return QUELL_OK;

    unsigned char out[FOLD_MAX_CPS * 4];
    size_t len = fold_compute((int32_t)cp, out);
    unsigned char self[4];
    size_t self_len = (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, self);
    if (len == self_len && memcmp(out, self, len) == 0)
        return QUELL_OK;
    /* Spacing clones of marks (U+00B4 acute, U+FE70 fathatan isolated form)
     * are U+0020 plus the mark: a mark, dropped like one, not a word break. */
    size_t spaces = 0;
    while (spaces < len && out[spaces] == ' ')
        spaces++;
    if (spaces == len) {
        *entry = FOLD_DROP;
        return QUELL_OK;
    }
    size_t off;
    if (len > 255 || pool_add(pool, out, len, &off) != QUELL_OK || off > 0xFFFFFF)
        return QUELL_ENOMEM;
    *entry = (uint32_t)(off << 8) | (uint32_t)len;
    return QUELL_OK;
}

/* The skeleton entry of cp, whose fold entry is fold. */
static int skel_entry(struct builder *b, uint32_t cp, const utf8proc_property_t *prop,
                      uint32_t fold, uint32_t *entry)
{
    const struct norm_map_entry *m = NULL;
    uint32_t e = SK_OTHER;
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
            e = SK_LETTER;
        else if (cp == ' ' || cp == '.' || cp == '-' || cp == '_' || cp == '*')
            e = SK_SEP;
        else if ((m = map_next(norm_leet_map, norm_leet_map_count, &b->leet_pos, cp)) != NULL)
            e = SK_LEET | (uint32_t)(m->where & 7u) << 2;
    } else {
        switch (prop->category) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
            e = SK_LETTER;
            break;
        default:
            break;
        }
        m = map_next(norm_confusable_map, norm_confusable_map_count, &b->confusable_pos, cp);
        if (is_arabic_next(&b->range_pos, cp)) {
            /* The generator leaves Arabic out; never map it, even so. */
            e |= SK_ARABIC;
            m = NULL;
        } else if (fold != FOLD_KEEP) {
            /* Only characters that survive folding reach the skeleton. */
            m = NULL;
        } else if (m) {
            e = SK_LETTER;
        }
    }
    if (m && m->len > 0) {
        size_t off;
        if (pool_add(&b->skel_pool, m->utf8, m->len, &off) != QUELL_OK || off >= SK_OFF_LIMIT)
            return QUELL_ENOMEM;
        e |= (uint32_t)m->len << 8 | (uint32_t)off << 12;
    }
    *entry = e;
    return QUELL_OK;
}

static inline uint32_t fold_lookup(const struct norm_tables *t, uint32_t cp)
{
    return t->fold_stage2[(size_t)t->fold_stage1[cp >> BLOCK_SHIFT] * BLOCK_SIZE +
                          (cp & (BLOCK_SIZE - 1))];
}

static inline uint32_t skel_lookup(const struct norm_tables *t, uint32_t cp)
{
    return t->skel_stage2[(size_t)t->skel_stage1[cp >> BLOCK_SHIFT] * BLOCK_SIZE +
                          (cp & (BLOCK_SIZE - 1))];
}

#define SKEL_VEC_BAD 1u
#define SKEL_VEC_SEP (1u << 16)

/*
 * The skeleton's vector path takes lower-case ASCII letters and spaces,
 * and other printable ASCII of class other or separator (punctuation:
 * copied, it ends a word like a space). Leet keys, controls, non-ASCII
 * and the NUL padding go the scalar way.
 */
static uint32_t skel_vec_entry(const struct norm_tables *t, uint32_t c)
{
    if (c >= 0x80)
        return SKEL_VEC_BAD;
    if ((c >= 'a' && c <= 'z'))
        return 0;
    unsigned cls = SK_CLASS(t->skel_ascii[c]);
    if (c == ' ')
        return SKEL_VEC_SEP;
    if (c - 0x21u >= 0x5Eu || (cls & 1u))
        return SKEL_VEC_BAD;
    return cls == SK_SEP ? SKEL_VEC_SEP : 0;
}

#ifdef __SSE2__
static void nib_add(struct nib_set *set, unsigned table, unsigned row, unsigned col)
{
    set->lo[table][col] |= (unsigned char)(1u << row);
}

/* The nibble sets, from the tables they summarise. */
static void nib_sets_build(struct norm_tables *t)
{
    __builtin_cpu_init();
    t->ssse3 = __builtin_cpu_supports("ssse3");
#ifdef QUELL_NO_SSSE3
    t->ssse3 = false; /* a build that tests the SSE2 paths on any CPU */
#endif
    for (uint32_t c = 0; c < 0x80; c++) {
        uint32_t e = t->skel_ascii[c];
        if (t->skel_vec[c] & SKEL_VEC_BAD)
            nib_add(&t->skel_bad1, 0, c >> 4, c & 15);
        if (t->skel_vec[c] & SKEL_VEC_SEP)
            nib_add(&t->skel_sep1, 0, c >> 4, c & 15);
        if (SK_CLASS(e) == SK_LEET) {
            nib_add(&t->skel_leet1, 0, c >> 4, c & 15);
            if (SK_WHERE(e) & NORM_LEET_START)
                nib_add(&t->leet_start1, 0, c >> 4, c & 15);
            if (SK_WHERE(e) & NORM_LEET_INNER)
                nib_add(&t->leet_inner1, 0, c >> 4, c & 15);
            if (SK_WHERE(e) & NORM_LEET_END)
                nib_add(&t->leet_end1, 0, c >> 4, c & 15);
        }
        if (SK_CLASS(e) == SK_OTHER || SK_CLASS(e) == SK_SEP)
            nib_add(&t->skel_nonletter1, 0, c >> 4, c & 15);
    }
    const uint32_t kept = FOLD_SMALL_OK | 2u << 16;
    for (uint32_t cp = 0x600; cp < 0x700; cp++) {
        unsigned lead = 0xC0 | cp >> 6, cont = 0x80 | (cp & 0x3F);
        unsigned table = (lead >> 1) & 1, row = (lead & 1) << 2 | (cont >> 4 & 3), col = cont & 15;
        if (t->skel_small[cp] & (1u << 16))
            nib_add(&t->skel_letter2, table, row, col);
        if (t->skel_small[cp] & 1u)
            nib_add(&t->skel_bad2, table, row, col);
        uint32_t e = t->fold_small[cp];
        if ((e & (FOLD_SMALL_OK | FOLD_SMALL_SPACE | 3u << 16)) != kept)
            nib_add(&t->fold_bad2, table, row, col);
        else if ((e & 0xFFFFu) != (lead | cont << 8))
            nib_add(&t->fold_changed2, table, row, col);
    }
}

/*
 * The bytes of v that are ASCII bytes of set: bit k for byte k. Bytes from
 * 0x80 are never in it (the shuffle gives 0 for them).
 */
__attribute__((target("ssse3"))) static inline unsigned nib_ascii16(const struct nib_set *set,
                                                                    __m128i v)
{
    static const unsigned char row_bits[16] = {1, 2, 4, 8, 16, 32, 64, 128};
    __m128i low = _mm_and_si128(v, _mm_set1_epi8(15));
    __m128i high = _mm_and_si128(_mm_srli_epi16(v, 4), _mm_set1_epi8(15));
    __m128i bits = _mm_and_si128(
        _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)set->lo[0]), low),
        _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)row_bits), high));
    unsigned none = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bits, _mm_setzero_si128()));
    /* A byte from 0x80 has a high nibble from 8: row bit 0. */
    return ~none & 0xFFFFu;
}

/*
 * The leads in v (0xD8-0xDB, whose continuation is the next byte, or the
 * byte after v in next for the last) of characters of set: bit k for the
 * lead at k. Only leads of U+0600-U+06FF are tested.
 */
__attribute__((target("ssse3"))) static inline unsigned nib_arabic16(const struct nib_set *set,
                                                                     __m128i v, __m128i conts)
{
    static const unsigned char row_bits[16] = {1, 2, 4, 8, 16, 32, 64, 128};
    __m128i col = _mm_and_si128(conts, _mm_set1_epi8(15));
    /* Shifts of 16-bit lanes: the masks keep each byte's own bits. */
    __m128i row = _mm_or_si128(_mm_and_si128(_mm_srli_epi16(conts, 4), _mm_set1_epi8(3)),
                               _mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi8(1)), 2));
    __m128i high = _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8(2)), _mm_set1_epi8(2));
    __m128i lo0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)set->lo[0]), col);
    __m128i lo1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)set->lo[1]), col);
    __m128i bits = _mm_and_si128(
        _mm_or_si128(_mm_and_si128(high, lo1), _mm_andnot_si128(high, lo0)),
        _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)row_bits), row));
    unsigned none = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bits, _mm_setzero_si128()));
    return ~none & 0xFFFFu;
}

/* Two sets' bytes at once: one call from the SSE2 code, and the nibbles
 * worked out once. */
struct mask2 {
    unsigned a, b;
};

__attribute__((target("ssse3"))) static struct mask2
nib_ascii16x2(const struct nib_set *a, const struct nib_set *b, __m128i v)
{
    return (struct mask2){nib_ascii16(a, v), nib_ascii16(b, v)};
}

__attribute__((target("ssse3"))) static struct mask2
nib_arabic16x2(const struct nib_set *a, const struct nib_set *b, __m128i v)
{
    /* The continuation of the lead at k is byte k + 1. */
    __m128i conts = _mm_srli_si128(v, 1);
    return (struct mask2){nib_arabic16(a, v, conts), nib_arabic16(b, v, conts)};
}

/* Leads 0xD8-0xDB: the Arabic block's two-byte characters. */
static inline unsigned arabic_leads16(__m128i v)
{
    return (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xFC)), _mm_set1_epi8((char)0xD8)));
}
#endif

/* The small fold entry of cp (below U+0800), from its fold entry. */
static uint32_t fold_small_entry(const struct norm_tables *t, uint32_t cp)
{
    uint32_t e = t->fold2[cp];
    unsigned char self[2];
    size_t self_len = (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, self);
    const unsigned char *bytes = self;
    size_t len = self_len;
    if (e == FOLD_DROP)
        len = 0;
    else if (e == FOLD_SPACE)
        return FOLD_SMALL_OK | FOLD_SMALL_SPACE | 1u << 16 | ' ';
    else if (e != FOLD_KEEP) {
        len = e & 0xFF;
        bytes = t->fold_pool + (e >> 8);
    }
    if (len > 2)
        return 0;
    uint32_t out = FOLD_SMALL_OK | (uint32_t)len << 16;
    for (size_t k = 0; k < len; k++)
        out |= (uint32_t)bytes[k] << (8 * k);
    return out;
}

/*
 * Planes with nothing assigned in Unicode 15 (utf8proc 2.8), 4 to 13, or
 * only private use, 15 and 16: every entry there is FOLD_KEEP and
 * SK_OTHER, 0, like any unassigned block's. Their 3,072 blocks, 70% of the
 * code space, are not looked at one code point at a time (that took 8 of
 * the table build's 11 ms, at every load of a rule set); the normalise
 * suite builds the tables both ways and compares every code point, so a
 * utf8proc that assigns something there fails it.
 */
static bool is_blank_plane(uint32_t blk)
{
    uint32_t plane = blk >> (16 - BLOCK_SHIFT);
    return (plane >= 4 && plane <= 13) || plane >= 15;
}

static int tables_build(struct norm_tables **out, bool skip_blank_planes);

int norm_tables_new(struct norm_tables **out)
{
    return tables_build(out, true);
}

int norm_tables_new_full(struct norm_tables **out)
{
    return tables_build(out, false);
}

static int tables_build(struct norm_tables **out, bool skip_blank_planes)
{
    assert(out);
    *out = NULL;
    int rc = QUELL_ENOMEM;
    struct norm_tables *t = calloc(1, sizeof *t);
    struct block_set *folds = calloc(1, sizeof *folds);
    struct block_set *skels = calloc(1, sizeof *skels);
    struct builder b = {0};
    if (!t || !folds || !skels)
        goto out_free;
    /* Offset 0 of each pool is never a replacement's, so entries can't be 0. */
    size_t off;
    static const unsigned char pad[1] = {0};
    if (pool_add(&b.fold_pool, pad, 1, &off) || pool_add(&b.skel_pool, pad, 1, &off))
        goto out_free;

    size_t max_len = 4;
    /* Most blocks are empty (unassigned, private use): all entries 0. Their
     * index is remembered, not hashed 3,000 times over. */
    int zero_fold = -1, zero_skel = -1;
    for (uint32_t blk = 0; blk < BLOCK_COUNT; blk++) {
        if (skip_blank_planes && is_blank_plane(blk) && zero_fold >= 0 && zero_skel >= 0) {
            t->fold_stage1[blk] = (uint16_t)zero_fold;
            t->skel_stage1[blk] = (uint16_t)zero_skel;
            continue;
        }
        uint32_t fold[BLOCK_SIZE], skel[BLOCK_SIZE];
        uint32_t any_fold = 0, any_skel = 0;
        for (uint32_t i = 0; i < BLOCK_SIZE; i++) {
            uint32_t cp = blk << BLOCK_SHIFT | i;
            /* utf8proc gives surrogates category Cs, which stays. */
            const utf8proc_property_t *prop = utf8proc_get_property((utf8proc_int32_t)cp);
            if (fold_entry(&b, cp, prop, &fold[i]) || skel_entry(&b, cp, prop, fold[i], &skel[i]))
                goto out_free;
            if ((fold[i] & 0xFF) > max_len)
                max_len = fold[i] & 0xFF;
            any_fold |= fold[i];
            any_skel |= skel[i];
        }
        if (!any_fold && zero_fold >= 0)
            t->fold_stage1[blk] = (uint16_t)zero_fold;
        else if (block_set_add(folds, fold, &t->fold_stage1[blk]))
            goto out_free;
        else if (!any_fold)
            zero_fold = t->fold_stage1[blk];
        if (!any_skel && zero_skel >= 0)
            t->skel_stage1[blk] = (uint16_t)zero_skel;
        else if (block_set_add(skels, skel, &t->skel_stage1[blk]))
            goto out_free;
        else if (!any_skel)
            zero_skel = t->skel_stage1[blk];
    }
    t->fold_room = max_len + 16 + POOL_SLACK;
    t->fold_stage2 = folds->blocks;
    t->skel_stage2 = skels->blocks;
    folds->blocks = skels->blocks = NULL;
    t->skel_ascii = t->skel_stage2 + (size_t)t->skel_stage1[0] * BLOCK_SIZE;
    for (uint32_t cp = 0; cp < 0x800; cp++) {
        t->fold2[cp] = fold_lookup(t, cp);
        t->skel2[cp] = skel_lookup(t, cp);
    }
    t->fold_pool = b.fold_pool.bytes;
    for (uint32_t cp = 0; cp < 0x800; cp++)
        t->fold_small[cp] = fold_small_entry(t, cp);
    for (uint32_t c = 0; c < 256; c++)
        t->skel_vec[c] = skel_vec_entry(t, c);
    for (uint32_t cp = 0; cp < 0x800; cp++) {
        uint32_t e = t->skel2[cp];
        unsigned cls = SK_CLASS(e);
        t->skel_small[cp] = ((cls != SK_LETTER && cls != SK_OTHER) || SK_LEN(e) != 0 ? 1u : 0u) |
                            (cls == SK_LETTER ? 1u << 16 : 0u);
    }
#ifdef __SSE2__
    nib_sets_build(t);
#endif
    t->skel_pool = b.skel_pool.bytes;
    b.fold_pool.bytes = b.skel_pool.bytes = NULL;
    *out = t;
    t = NULL;
    rc = QUELL_OK;
out_free:
    free(b.fold_pool.bytes);
    free(b.skel_pool.bytes);
    if (folds)
        free(folds->blocks);
    if (skels)
        free(skels->blocks);
    free(folds);
    free(skels);
    norm_tables_free(t);
    return rc;
}

/* The bytes a fold or skeleton entry replaces its character with, if any. */
static const unsigned char *entry_bytes(const struct norm_tables *t, uint32_t e, bool is_skel,
                                        size_t *len)
{
    *len = is_skel ? SK_LEN(e) : e & 0xFF;
    if (!*len)
        return NULL;
    return is_skel ? t->skel_pool + SK_OFF(e) : t->fold_pool + (e >> 8);
}

bool norm_tables_same(const struct norm_tables *a, const struct norm_tables *b)
{
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        for (int is_skel = 0; is_skel < 2; is_skel++) {
            uint32_t x = is_skel ? skel_lookup(a, cp) : fold_lookup(a, cp);
            uint32_t y = is_skel ? skel_lookup(b, cp) : fold_lookup(b, cp);
            size_t xl, yl;
            const unsigned char *xb = entry_bytes(a, x, is_skel, &xl);
            const unsigned char *yb = entry_bytes(b, y, is_skel, &yl);
            if (x != y || xl != yl || (xl && memcmp(xb, yb, xl) != 0))
                return false;
        }
    }
    return a->fold_room == b->fold_room;
}

void norm_tables_free(struct norm_tables *tables)
{
    if (!tables)
        return;
    free(tables->fold_stage2);
    free(tables->skel_stage2);
    free(tables->fold_pool);
    free(tables->skel_pool);
    free(tables);
}

/* ------------------------------------------------------------------------ */
/* Views                                                                     */

void norm_view_free(struct norm_view *view)
{
    if (!view)
        return;
    free(view->text);
    free(view->src);
    free(view->soft_edges);
    memset(view, 0, sizeof *view);
}

/* Make room for need bytes of text (and need + 1 src entries). */
static int view_reserve(struct norm_view *view, size_t need)
{
    if (need <= view->cap && view->text)
        return QUELL_OK;
    /* src has one entry more than text has bytes: grow it first, to the
     * capacity text will get, so that cap always describes both. */
    size_t text_cap = view->cap, src_cap = view->cap ? view->cap + 1 : 0;
    char *text = grow_array(view->text, &text_cap, need, 1, 64, UINT32_MAX);
    if (!text)
        return QUELL_ENOMEM;
    view->text = text;
    uint32_t *src = grow_array(view->src, &src_cap, text_cap + 1, sizeof *src, 65, UINT32_MAX);
    if (!src)
        return QUELL_ENOMEM; /* text grew; cap still describes both safely */
    view->src = src;
    view->cap = text_cap;
    return QUELL_OK;
}

/* Room for at least `room` more bytes after the first `len`. */
static int view_room(struct norm_view *view, size_t len, size_t room)
{
    size_t need;
    if (__builtin_add_overflow(len, room, &need))
        return QUELL_ENOMEM;
    return view_reserve(view, need);
}

/*
 * A view's text is followed by VIEW_PAD NUL bytes and its src by as many
 * zeros, so norm_skeleton's vector path can load 16 bytes anywhere in the
 * text without reading outside it, or anything undefined.
 */
#define VIEW_PAD 16

static int view_pad(struct norm_view *view)
{
    if (view_room(view, view->len, VIEW_PAD))
        return QUELL_ENOMEM;
    memset(view->text + view->len, 0, VIEW_PAD);
    memset(view->src + view->len + 1, 0, VIEW_PAD * sizeof *view->src);
    return QUELL_OK;
}

/* What makes an Arabizi word: Latin letters, digits (3, 7, 2 are letters
 * there) and the apostrophe ("7'" for khah). */
static bool az_is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'';
}

/* The end of the mask run ("*", "@", "**") at t[i], when it stands inside
 * the word that started at `word`: between letters, and an asterisk only
 * after the word's first letter, one character or a digraph ("k*lb",
 * "sh*rmoota", "7'*mar"; not "en*kuch*", an action). Otherwise i: the run
 * ends the word. */
static size_t az_mask_end(const unsigned char *t, size_t n, size_t word, size_t i)
{
    size_t j = i;
    bool has_star = false;
    while (j < n && (t[j] == '@' || t[j] == '*'))
        has_star |= t[j++] == '*';
    bool is_first_letter =
        i - word == 1 || (i - word == 2 && (t[word + 1] == 'h' || t[word + 1] == '\''));
    if (j == i || j == n || !az_is_letter(t[j]) || (has_star && !is_first_letter))
        return i;
    return j;
}

int norm_arabizi(const struct norm_view *folded, struct norm_view *out)
{
    /* Every byte written stands for one byte read or more. */
    if (view_room(out, folded->len, VIEW_PAD))
        return QUELL_ENOMEM;
    const unsigned char *t = (const unsigned char *)folded->text;
    const uint32_t *fs = folded->src;
    size_t n = folded->len, o = 0, i = 0;
    while (i < n) {
        if (!az_is_letter(t[i])) {
            out->text[o] = ' ';
            out->src[o++] = fs[i];
            while (i < n && !az_is_letter(t[i]))
                i++;
            continue;
        }
        size_t word = i, mask_end = i;
        unsigned char prev = 0, last_vowel = 0;
        uint32_t last_vowel_src = 0;
        for (; i < n; i++) {
            unsigned char c = t[i];
            if (i >= mask_end && !az_is_letter(c)) {
                mask_end = az_mask_end(t, n, word, i);
                if (mask_end == i)
                    break;
            }
            if (c == prev)
                continue; /* a repeated letter or a stretched vowel */
            prev = c;
            if (norm_arabizi_is_vowel(c) && i > word) {
                /* Dropped, unless it turns out to end the word. */
                last_vowel = c;
                last_vowel_src = fs[i];
                continue;
            }
            last_vowel = 0;
            out->text[o] = (char)c;
            out->src[o++] = fs[i];
        }
        if (last_vowel) {
            out->text[o] = (char)last_vowel;
            out->src[o++] = last_vowel_src;
        }
    }
    out->src[o] = fs[n];
    out->len = o;
    out->soft_edge_count = 0;
    return view_pad(out);
}

#ifdef __SSE2__
static bool view_is_padded(const struct norm_view *view)
{
    static const char zeros[VIEW_PAD];
    return view->text && view->cap - view->len >= VIEW_PAD &&
           memcmp(view->text + view->len, zeros, VIEW_PAD) == 0;
}
#endif

/*
 * Decode the character at p[i] (i < len), checking every byte, so malformed
 * input never reads past the end or desynchronises: a byte that starts no
 * well-formed character is one character of its own, returned as -1.
 */
static int32_t decode(const unsigned char *p, size_t len, size_t i, size_t *next)
{
    unsigned b = p[i];
    size_t left = len - i;
    *next = i + 1;
    if (b < 0x80)
        return (int32_t)b;
    if (b < 0xC2)
        return -1;
    if (b < 0xE0) {
        if (left < 2 || (p[i + 1] & 0xC0) != 0x80)
            return -1;
        *next = i + 2;
        return (int32_t)((b & 0x1F) << 6 | (p[i + 1] & 0x3Fu));
    }
    if (b < 0xF0) {
        if (left < 3)
            return -1;
        unsigned c1 = p[i + 1], c2 = p[i + 2];
        unsigned lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
        if (c1 < lo || c1 > hi || (c2 & 0xC0) != 0x80)
            return -1;
        *next = i + 3;
        return (int32_t)((b & 0x0F) << 12 | (c1 & 0x3Fu) << 6 | (c2 & 0x3Fu));
    }
    if (b < 0xF5) {
        if (left < 4)
            return -1;
        unsigned c1 = p[i + 1], c2 = p[i + 2], c3 = p[i + 3];
        unsigned lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
        if (c1 < lo || c1 > hi || (c2 & 0xC0) != 0x80 || (c3 & 0xC0) != 0x80)
            return -1;
        *next = i + 4;
        return (int32_t)((b & 0x07) << 18 | (c1 & 0x3Fu) << 12 | (c2 & 0x3Fu) << 6 | (c3 & 0x3Fu));
    }
    return -1;
}

/* decode, with two-byte characters (Arabic, Cyrillic, Greek, accented
 * Latin) decoded inline. */
static inline __attribute__((always_inline)) int32_t decode_fast(const unsigned char *p, size_t len,
                                                                 size_t i, size_t *next)
{
    unsigned b = p[i];
    if (b - 0xC2u < 0x1Eu && len - i >= 2 && (p[i + 1] & 0xC0) == 0x80) {
        *next = i + 2;
        return (int32_t)((b & 0x1F) << 6 | (p[i + 1] & 0x3Fu));
    }
    return decode(p, len, i, next);
}

static inline void put_src(uint32_t *src, size_t n, uint32_t off, size_t count)
{
    for (size_t k = 0; k < count; k++)
        src[n + k] = off;
}

#ifdef __SSE2__
/*
 * Fold 16 ASCII bytes at c in one go: store all 16 lowercased (the caller
 * has room), and return how many of them are final: those before the first
 * byte that needs the scalar path (non-ASCII, a control, NUL padding, or a
 * space that continues a run of white space). i is c's offset in the original.
 */
static inline size_t fold_ascii16(const unsigned char *c, size_t i, unsigned char *o, uint32_t *s,
                                  bool *prev_space)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)c);
    /* Signed compare: bytes >= 0x80 are negative, so below 0x21 too. */
    unsigned special = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x21)));
    unsigned spaces = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
    unsigned bad = (special & ~spaces) | (spaces & ((spaces << 1) | (unsigned)*prev_space));
    size_t good = bad ? (size_t)__builtin_ctz(bad) : 16;
    if (good == 0)
        return 0;
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    v = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    _mm_storeu_si128((__m128i *)(void *)o, v);
    __m128i off = _mm_add_epi32(_mm_set1_epi32((int)(uint32_t)i), _mm_setr_epi32(0, 1, 2, 3));
    const __m128i four = _mm_set1_epi32(4);
    _mm_storeu_si128((__m128i *)(void *)s, off);
    off = _mm_add_epi32(off, four);
    _mm_storeu_si128((__m128i *)(void *)(s + 4), off);
    off = _mm_add_epi32(off, four);
    _mm_storeu_si128((__m128i *)(void *)(s + 8), off);
    off = _mm_add_epi32(off, four);
    _mm_storeu_si128((__m128i *)(void *)(s + 12), off);
    *prev_space = (spaces >> (good - 1)) & 1u;
    return good;
}
#endif

#ifdef __SSE2__
/*
 * Fold 16 bytes of one- and two-byte characters at c in one go, as far as
 * every character keeps its length: ASCII (upper case lowered), and two-byte
 * characters whose fold is two bytes (Arabic letters, unified or not; most
 * Latin, Greek and Cyrillic letters). Stores all 16 (the caller has room)
 * and returns how many are final, like fold_ascii16: those before the first
 * character that needs the scalar path (a control or other white space, a
 * space after a space, a mark or tatweel that folding drops, a longer
 * character, a two-byte character cut by the chunk's end, the NUL padding).
 * A byte's src is the offset of its character's first byte.
 */
HOT size_t fold_mixed16(const struct norm_tables *t, const unsigned char *c, size_t i,
                        unsigned char *o, uint32_t *s, bool *prev_space)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)c);
    /* Signed compares: the bytes from 0x80 are negative. */
    unsigned ascii = (unsigned)_mm_movemask_epi8(v) ^ 0xFFFFu;
    unsigned control = ascii & (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(' ')));
    unsigned spaces = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
    /* Continuations are 0x80-0xBF, leads of two bytes 0xC2-0xDF. */
    __m128i cont_v = _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xC0));
    unsigned cont = (unsigned)_mm_movemask_epi8(cont_v) & ~ascii;
    unsigned lead =
        (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0xC1)),
                                                  _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xE0))));
    unsigned other = ~(ascii | cont | lead) & 0xFFFFu; /* 0xC0, 0xC1, 0xE0-0xFF */
    unsigned bad = control | other | (spaces & (spaces << 1 | (unsigned)*prev_space)) |
                   (cont & ~(lead << 1)) | (lead & ~(cont >> 1));
    /* Each two-byte character's fold, written over its bytes: the same
     * bytes when it stays, others when it is unified or lowered. */
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    _mm_storeu_si128((__m128i *)(void *)o,
                     _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    const uint32_t want = FOLD_SMALL_OK | 2u << 16;
    /* The characters to look up one by one: all two-byte ones, or with
     * SSSE3 only those of the Arabic block that fold to other bytes, and
     * those of other blocks. */
    unsigned look = lead & 0x7FFFu;
    if (t->ssse3) {
        unsigned arabic = arabic_leads16(v) & look;
        struct mask2 sets = nib_arabic16x2(&t->fold_bad2, &t->fold_changed2, v);
        bad |= sets.a & arabic;
        look = (sets.b & arabic) | (look & ~arabic);
    }
    for (unsigned m = look; m; m &= m - 1) {
        unsigned k = (unsigned)__builtin_ctz(m);
        uint32_t e = t->fold_small[(c[k] & 0x1Fu) << 6 | (c[k + 1] & 0x3Fu)];
        bad |= (unsigned)((e & (FOLD_SMALL_OK | FOLD_SMALL_SPACE | 3u << 16)) != want) << k;
        o[k] = (unsigned char)e;
        o[k + 1] = (unsigned char)(e >> 8);
    }
    /* Most chunks stop only before a lead at their last byte: when the
     * branch the CPU predicts holds, the next chunk starts on that cheap
     * test alone, before this one's look-ups are done. */
    unsigned cut = lead >> 15;
    size_t good = 16 - cut;
    if (__builtin_expect((bad & (0xFFFFu >> cut)) != 0, 0))
        good = (size_t)__builtin_ctz(bad);
    if (good == 0)
        return 0;
    /* src: the byte's own offset, less one for a continuation. */
    __m128i off = _mm_add_epi32(_mm_set1_epi32((int)(uint32_t)i), _mm_setr_epi32(0, 1, 2, 3));
    const __m128i four = _mm_set1_epi32(4);
    __m128i c16lo = _mm_unpacklo_epi8(cont_v, cont_v), c16hi = _mm_unpackhi_epi8(cont_v, cont_v);
    __m128i c32[4] = {_mm_unpacklo_epi16(c16lo, c16lo), _mm_unpackhi_epi16(c16lo, c16lo),
                      _mm_unpacklo_epi16(c16hi, c16hi), _mm_unpackhi_epi16(c16hi, c16hi)};
    /* cont_v also holds the ASCII bytes (negative compare is false for
     * them, so they are 0 there): only continuations add -1. */
    for (size_t q = 0; q < 4; q++) {
        _mm_storeu_si128((__m128i *)(void *)(s + 4 * q), _mm_add_epi32(off, c32[q]));
        off = _mm_add_epi32(off, four);
    }
    *prev_space = (spaces >> (good - 1)) & 1u;
    return good;
}
#endif

/* Append one fold entry's output for the character at i, of clen bytes. */
HOT size_t fold_put(const struct norm_tables *t, uint32_t e, const unsigned char *p, size_t i,
                    size_t clen, unsigned char *o, uint32_t *s, size_t n, bool *prev_space)
{
    if (e == FOLD_KEEP) {
        for (size_t k = 0; k < clen; k++) {
            o[n + k] = p[i + k];
            s[n + k] = (uint32_t)i;
        }
        *prev_space = false;
        return n + clen;
    }
    if (e & 0xFF) {
        size_t rlen = e & 0xFF;
        const unsigned char *r = t->fold_pool + (e >> 8);
        if (rlen <= 4)
            memcpy(o + n, r, 4); /* the pool and the view have the slack */
        else
            memcpy(o + n, r, rlen);
        put_src(s, n, (uint32_t)i, rlen);
        *prev_space = false;
        return n + rlen;
    }
    if (e == FOLD_SPACE && !*prev_space) {
        o[n] = ' ';
        s[n] = (uint32_t)i;
        *prev_space = true;
        return n + 1;
    }
    /* FOLD_DROP, or a space in a run: nothing, and the run goes on across a drop. */
    return n;
}

/*
 * Append a small fold entry's output for the character at i, without a
 * branch: both bytes are stored (the caller has room) and n advances over
 * those that count. A space after a space counts for nothing; a dropped
 * character (no bytes) lets a run of spaces go on across it.
 */
HOT size_t fold_small_put(uint32_t e, size_t i, unsigned char *o, uint32_t *s, size_t n,
                          bool *prev_space)
{
    unsigned space = (e & FOLD_SMALL_SPACE) != 0;
    unsigned len = FOLD_SMALL_LEN(e);
    o[n] = (unsigned char)e;
    o[n + 1] = (unsigned char)(e >> 8);
    s[n] = s[n + 1] = (uint32_t)i;
    size_t put = len - (space & (unsigned)*prev_space);
    *prev_space = space | ((unsigned)*prev_space & (len == 0));
    return n + put;
}

int norm_fold(const struct norm_tables *tables, const char *orig, size_t len, struct norm_view *out)
{
    assert(tables && out && (orig || len == 0));
    /* src holds 32-bit offsets. */
    if (len > UINT32_MAX)
        return QUELL_ETOOBIG;
    const size_t room = tables->fold_room;
    if (view_room(out, len, room))
        return QUELL_ENOMEM;
    const unsigned char *p = (const unsigned char *)orig;
    unsigned char *o = (unsigned char *)out->text;
    uint32_t *s = out->src;
    size_t cap = out->cap;
    size_t n = 0, i = 0;
    bool prev_space = false;
    while (i < len) {
        if (cap - n < room) {
            /* Expansions outgrew the first guess. */
            if (view_room(out, n, room + (len - i)))
                return QUELL_ENOMEM;
            o = (unsigned char *)out->text;
            s = out->src;
            cap = out->cap;
        }
        unsigned b = p[i];
#ifdef __SSE2__
        /* 16 bytes at a time: English runs through fold_ascii16, Arabic
         * (and any text of one- and two-byte characters) fold_mixed16. */
        if (b < 0xE0) {
            unsigned char tail[16];
            const unsigned char *c = p + i;
            if (len - i < 16) {
                /* The tail, through a buffer: never read past the input.
                 * The NUL padding stops the chunk. */
                memset(tail, 0, sizeof tail);
                memcpy(tail, p + i, len - i);
                c = tail;
            }
            size_t good = b < 0x80 && (i == 0 || p[i - 1] < 0x80)
                              ? fold_ascii16(c, i, o + n, s + n, &prev_space)
                              : fold_mixed16(tables, c, i, o + n, s + n, &prev_space);
            if (good > len - i)
                good = len - i;
            if (good) {
                i += good;
                n += good;
                continue;
            }
        }
#endif
        if (b < 0x80) {
            n = fold_small_put(tables->fold_small[b], i, o, s, n, &prev_space);
            i++;
            continue;
        }
        if (b - 0xC2u < 0x1Eu && len - i >= 2 && (p[i + 1] & 0xC0) == 0x80) {
            /* Two-byte characters (Arabic, Cyrillic, Greek): one load. */
            uint32_t cp = (b & 0x1Fu) << 6 | (p[i + 1] & 0x3Fu);
            uint32_t e = tables->fold_small[cp];
            if (e & FOLD_SMALL_OK)
                n = fold_small_put(e, i, o, s, n, &prev_space);
            else
                n = fold_put(tables, tables->fold2[cp], p, i, 2, o, s, n, &prev_space);
            i += 2;
            continue;
        }
        size_t next;
        int32_t cp = decode(p, len, i, &next);
        if (cp < 0) {
            memcpy(o + n, replacement_char, 3);
            put_src(s, n, (uint32_t)i, 3);
            n += 3;
            prev_space = false;
        } else {
            n = fold_put(tables, fold_lookup(tables, (uint32_t)cp), p, i, next - i, o, s, n,
                         &prev_space);
        }
        i = next;
    }
    s[n] = (uint32_t)len;
    out->len = n;
    return view_pad(out);
}

/* ------------------------------------------------------------------------ */
/* Skeleton                                                                  */

/* Every step appends at most 8 bytes (a replacement) or 16 (a chunk). */
#define SKEL_ROOM 24

/* The skeleton being written, and the letter a repeat collapses into. */
struct skel_out {
    unsigned char *o;
    uint32_t *s;
    size_t n;
    size_t cap;
    int32_t last_letter; /* -1 after anything but a letter */
};

HOT int skel_room(struct norm_view *view, struct skel_out *w)
{
    if (w->cap - w->n >= SKEL_ROOM)
        return QUELL_OK;
    if (view_room(view, w->n, SKEL_ROOM))
        return QUELL_ENOMEM;
    w->o = (unsigned char *)view->text;
    w->s = view->src;
    w->cap = view->cap;
    return QUELL_OK;
}

/* Append a letter, or nothing if it repeats the letter before. */
HOT void skel_letter(struct skel_out *w, int32_t cp, const unsigned char *bytes, size_t len,
                     uint32_t src)
{
    if (cp == w->last_letter)
        return;
    for (size_t k = 0; k < len; k++) {
        w->o[w->n + k] = bytes[k];
        w->s[w->n + k] = src;
    }
    w->n += len;
    w->last_letter = cp;
}

/* Append a letter whose entry may replace it by ASCII letters. */
HOT void skel_mapped(struct skel_out *w, const struct norm_tables *t, uint32_t e, int32_t cp,
                     const unsigned char *bytes, size_t len, uint32_t src)
{
    size_t rlen = SK_LEN(e);
    if (!rlen) {
        skel_letter(w, cp, bytes, len, src);
        return;
    }
    const unsigned char *r = t->skel_pool + SK_OFF(e);
    for (size_t k = 0; k < rlen; k++)
        skel_letter(w, r[k], r + k, 1, src);
}

/* Append anything else as it is (an invalid byte as U+FFFD). */
HOT void skel_other(struct skel_out *w, int32_t cp, const unsigned char *bytes, size_t len,
                    uint32_t src)
{
    if (cp < 0) {
        bytes = replacement_char;
        len = 3;
    }
    for (size_t k = 0; k < len; k++) {
        w->o[w->n + k] = bytes[k];
        w->s[w->n + k] = src;
    }
    w->n += len;
    w->last_letter = -1;
}

HOT uint32_t skel_at(const struct norm_tables *t, const unsigned char *p, size_t len, size_t i,
                     int32_t *cp, size_t *next)
{
    if (p[i] < 0x80) {
        *cp = p[i];
        *next = i + 1;
        return t->skel_ascii[p[i]];
    }
    *cp = decode_fast(p, len, i, next);
    return *cp < 0 ? SK_OTHER : skel_lookup(t, (uint32_t)*cp);
}

/* A letter leetspeak may lean on: any script but Arabic. */
static inline bool is_plain_letter(uint32_t e)
{
    return SK_CLASS(e) == SK_LETTER && !(e & SK_ARABIC);
}

/*
 * The run of leet keys starting at i (they are ASCII): *end receives where
 * it stops; returns the NORM_LEET_* position of the run, 0 if it touches no
 * letter. left tells whether a plain letter precedes it.
 */
static unsigned leet_run(const struct norm_tables *t, const unsigned char *p, size_t len, size_t i,
                         bool left, size_t *end)
{
    size_t r = i;
    while (r < len && p[r] < 0x80 && SK_CLASS(t->skel_ascii[p[r]]) == SK_LEET)
        r++;
    *end = r;
    bool right = false;
    if (r < len) {
        int32_t cp;
        size_t next;
        right = is_plain_letter(skel_at(t, p, len, r, &cp, &next));
    }
    if (left && right)
        return NORM_LEET_INNER;
    if (right)
        return NORM_LEET_START;
    return left ? NORM_LEET_END : 0;
}

/* Is the character at i, right after a letter, read as a letter too? */
HOT bool letter_follows(const struct norm_tables *t, const unsigned char *p, size_t len, size_t i,
                        bool left_plain)
{
    if (i >= len)
        return false;
    int32_t cp;
    size_t next;
    uint32_t e = skel_at(t, p, len, i, &cp, &next);
    if (SK_CLASS(e) == SK_LETTER)
        return true;
    if (SK_CLASS(e) != SK_LEET)
        return false;
    size_t end;
    return (SK_WHERE(e) & leet_run(t, p, len, i, left_plain, &end)) != 0;
}

static inline bool is_sep_byte(const struct norm_tables *t, unsigned char c)
{
    return c < 0x80 && SK_CLASS(t->skel_ascii[c]) == SK_SEP;
}

/*
 * The single letter before next starts a token; if at least two more single
 * letters follow, each after a run of separators ("f.u.c.k"), return where
 * the last ends; else 0. *last receives where the last letter starts.
 */
static size_t spaced_letters(const struct norm_tables *t, const unsigned char *p, size_t len,
                             size_t next, size_t *last)
{
    size_t count = 1, end = next, q = next;
    *last = next;
    for (;;) {
        size_t r = q;
        while (r < len && is_sep_byte(t, p[r]))
            r++;
        if (r == q || r >= len)
            break;
        int32_t cp;
        size_t after;
        uint32_t e = skel_at(t, p, len, r, &cp, &after);
        if (SK_CLASS(e) != SK_LETTER || letter_follows(t, p, len, after, is_plain_letter(e)))
            break;
        count++;
        *last = r;
        end = after;
        q = after;
    }
    return count >= 3 ? end : 0;
}

/*
 * Is the letter cp, standing alone, a word of one letter: English "a", "I",
 * "o", chat's "u" (you), Arabizi's "w" (and), "y" (vocative ya), and
 * Arabic's و (and)?
 */
static bool is_one_letter_word(int32_t cp)
{
    switch (cp) {
    case 'a':
    case 'i':
    case 'o':
    case 'u':
    case 'w':
    case 'y':
    case 0x0648: /* waw */
        return true;
    default:
        return false;
    }
}

/* Note a soft word edge at view offset off (offsets come in increasing
 * order; an edge at 0 or one already noted is dropped). */
static int soft_edge_add(struct norm_view *view, size_t off)
{
    if (off == 0 || (view->soft_edge_count && view->soft_edges[view->soft_edge_count - 1] >= off))
        return QUELL_OK;
    uint32_t *grown = grow_array(view->soft_edges, &view->soft_edge_cap,
                                 view->soft_edge_count + 1, sizeof *grown, 8, UINT32_MAX);
    if (!grown)
        return QUELL_ENOMEM;
    view->soft_edges = grown;
    view->soft_edges[view->soft_edge_count++] = (uint32_t)off;
    return QUELL_OK;
}

/* The first of a[0..n), ascending, that is key or more; n if none. */
static size_t lower_bound_u32(const uint32_t *a, size_t n, size_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool norm_is_soft_edge(const struct norm_view *view, size_t off)
{
    size_t k = lower_bound_u32(view->soft_edges, view->soft_edge_count, off);
    return k < view->soft_edge_count && view->soft_edges[k] == off;
}

size_t norm_view_at(const struct norm_view *view, size_t orig_off)
{
    return lower_bound_u32(view->src, view->len, orig_off);
}

#ifdef __SSE2__
/* skel_vec of the 16 bytes of v (also at bytes): SKEL_VEC_BAD at bit k,
 * SKEL_VEC_SEP at bit 16 + k. */
HOT uint32_t skel_flags16(const struct norm_tables *t, __m128i v, const unsigned char *bytes)
{
    if (t->ssse3) {
        unsigned high = (unsigned)_mm_movemask_epi8(v);
        struct mask2 m = nib_ascii16x2(&t->skel_bad1, &t->skel_sep1, v);
        return (m.a | high) | (uint32_t)m.b << 16;
    }
    uint32_t flags = 0;
    for (unsigned k = 0; k < 16; k++)
        flags |= t->skel_vec[bytes[k]] << k;
    return flags;
}

/* Grow the bits of from along the runs of run (bit k: byte k), rightwards
 * (toward higher bytes) and leftwards. */
static inline unsigned spread_right(unsigned from, unsigned run)
{
    for (unsigned prev = 0; from != prev;) {
        prev = from;
        from |= (from << 1) & run;
    }
    return from;
}

static inline unsigned spread_left(unsigned from, unsigned run)
{
    for (unsigned prev = 0; from != prev;) {
        prev = from;
        from |= (from >> 1) & run;
    }
    return from;
}

/*
 * The leet keys among the 16 ASCII bytes of v that skel_ascii16 may copy as
 * they are: those of runs (leet_run's) that the letters beside them leave
 * unmapped, every key's NORM_LEET_* position missing ("@user": '@' stands
 * for a letter only inside a word; "2014": no letter beside it). Returns
 * the leet keys in *leet, and the bits of those the scalar path must read:
 * every key of a run that maps a key to a letter, or whose neighbour after
 * it is not surely a letter or surely none (upper case, non-ASCII, the
 * chunk's end). lt: the lower-case letters; left: a plain letter before v;
 * after: the byte after v. With SSSE3 only (the nibble sets).
 */
__attribute__((target("ssse3"))) static unsigned skel_leet16(const struct norm_tables *t, __m128i v,
                                                             unsigned lt, bool left,
                                                             unsigned char after, unsigned *leet)
{
    unsigned keys = nib_ascii16(&t->skel_leet1, v);
    *leet = keys;
    if (!keys)
        return 0;
    unsigned none = nib_ascii16(&t->skel_nonletter1, v);
    uint32_t after_e = after < 0x80 ? t->skel_ascii[after] : SK_LETTER;
    bool after_letter = SK_CLASS(after_e) == SK_LETTER && (unsigned)(after - 'a') < 26u;
    bool after_none = SK_CLASS(after_e) == SK_OTHER || SK_CLASS(after_e) == SK_SEP;
    /* The neighbours of each run, carried to all its keys. */
    unsigned letter_left = spread_right((lt << 1 | (unsigned)left) & keys, keys);
    unsigned letter_right = spread_left((lt >> 1 | (unsigned)after_letter << 15) & keys, keys);
    unsigned known = lt | none;
    unsigned unknown_right =
        spread_left((~(known >> 1 | (unsigned)(after_letter || after_none) << 15)) & keys, keys);
    unsigned mapped = keys & ((nib_ascii16(&t->leet_start1, v) & ~letter_left & letter_right) |
                              (nib_ascii16(&t->leet_inner1, v) & letter_left & letter_right) |
                              (nib_ascii16(&t->leet_end1, v) & letter_left & ~letter_right));
    /* One key read as a letter, or a neighbour unknown: the whole run goes
     * the scalar way, which reads a run from its first key. */
    unsigned bad = (mapped | unknown_right) & keys;
    return spread_left(spread_right(bad, keys), keys);
}

/*
 * The end skel_ascii16 and skel_mixed16 share: append the first good of the
 * 16 bytes of v (also at bytes) and their src (src_count of fs are
 * readable) to w, less the bytes repeat marks. Without a repeat, whole
 * vectors are stored, the caller having room (SKEL_ROOM), and w->n moves
 * on by good.
 */
HOT void skel_emit16(struct skel_out *w, __m128i v, const unsigned char *bytes, const uint32_t *fs,
                     size_t src_count, size_t good, unsigned repeat)
{
    if (!repeat) {
        _mm_storeu_si128((__m128i *)(void *)(w->o + w->n), v);
        if (src_count >= 16) {
            for (size_t k = 0; k < 16; k += 4)
                _mm_storeu_si128((__m128i *)(void *)(w->s + w->n + k),
                                 _mm_loadu_si128((const __m128i *)(const void *)(fs + k)));
        } else {
            for (size_t k = 0; k < good; k++)
                w->s[w->n + k] = fs[k];
        }
        w->n += good;
    } else {
        /* Copy without branches, not advancing over a repeat. */
        size_t n = w->n;
        for (size_t k = 0; k < good; k++) {
            w->o[n] = bytes[k];
            w->s[n] = fs[k];
            n += !((repeat >> k) & 1u);
        }
        w->n = n;
    }
}

/*
 * The skeleton of the 16 ASCII bytes v (before: the same shifted by one, the
 * byte before them first; after: the byte after them) as far as they are
 * lowercase letters, spaces and punctuation that need no decision: no leet
 * key, no letter standing alone before a separator (it may start a
 * spaced-out word). Repeated letters are dropped on the way. Stores the
 * bytes and their src (the caller has room; src_count of fs are readable)
 * and returns how many input bytes are done, like fold_ascii16.
 */
HOT size_t skel_ascii16(const struct norm_tables *t, __m128i v, __m128i before, unsigned char after,
                        const uint32_t *fs, size_t src_count, struct skel_out *w, bool *prev_letter)
{
    __m128i letters = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)),
                                    _mm_cmplt_epi8(v, _mm_set1_epi8('z' + 1)));
    unsigned lt = (unsigned)_mm_movemask_epi8(letters);
    unsigned same = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, before));
    unsigned char bytes[16];
    _mm_storeu_si128((__m128i *)(void *)bytes, v);
    /* Which bytes the vector leaves to the scalar path, and which are
     * separators: a look-up per byte, without a branch (skel_vec_entry). */
    uint32_t flags = skel_flags16(t, v, bytes);
    unsigned bad = flags & 0xFFFFu, sep = flags >> 16;
    if (t->ssse3) {
        /* Leet keys no letter makes one: copied, like punctuation. */
        unsigned leet;
        unsigned leet_bad = skel_leet16(t, v, lt, *prev_letter, after, &leet);
        bad = (bad & ~leet) | leet_bad;
    }
    const uint32_t *ascii = t->skel_ascii;
    bool after_letter = (unsigned)(after - 'a') < 26u;
    bool after_sep = after < 0x80 && SK_CLASS(ascii[after]) == SK_SEP;
    unsigned lt_before = (lt << 1 | (unsigned)*prev_letter) & 0xFFFFu;
    unsigned lt_after = lt >> 1 | (unsigned)after_letter << 15;
    unsigned sep_after = sep >> 1 | (unsigned)after_sep << 15;
    bad |= lt & ~lt_before & ~lt_after & sep_after;
    size_t good = bad ? (size_t)__builtin_ctz(bad) : 16;
    if (good == 0)
        return 0;
    /* A repeat: a letter after the same letter, in the chunk or before it. */
    unsigned repeat = same & lt & lt << 1;
    if ((lt & 1) && (int32_t)bytes[0] == w->last_letter)
        repeat |= 1;
    repeat &= (1u << good) - 1;
    skel_emit16(w, v, bytes, fs, src_count, good, repeat);
    *prev_letter = (lt >> (good - 1)) & 1u;
    w->last_letter = *prev_letter ? (int32_t)bytes[good - 1] : -1;
    return good;
}
#endif

#ifdef __SSE2__
/*
 * skel_ascii16 for text of one- and two-byte characters (Arabic words and
 * the spaces between them, accented Latin): the skeleton of the 16 bytes at
 * c (c[16], the byte after them, is readable) as far as it is a copy less
 * repeats: letters that no table replaces, other characters that are no
 * leet key, and separators, but no letter standing alone before a
 * separator (it may start a spaced-out word) and no character cut by the
 * chunk's end. Stores the bytes and their src and returns how many input
 * bytes are done (0: the scalar path's turn); *prev_plain as norm_skeleton
 * keeps it.
 */
HOT size_t skel_mixed16(const struct norm_tables *t, const unsigned char *c, const uint32_t *fs,
                        size_t src_count, struct skel_out *w, bool *prev_letter, bool *prev_plain)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)c);
    unsigned ascii = (unsigned)_mm_movemask_epi8(v) ^ 0xFFFFu;
    /* Signed compares: the bytes from 0x80 are negative. */
    unsigned cont = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8((char)0xC0)));
    unsigned lead =
        (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0xC1)),
                                                  _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xE0))));
    unsigned lt = (unsigned)_mm_movemask_epi8(_mm_and_si128(
        _mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('z' + 1))));
    uint32_t flags = skel_flags16(t, v, c);
    unsigned sep = flags >> 16;
    unsigned bad = (flags & ascii) | (~(ascii | cont | lead) & 0xFFFFu) | (cont & ~(lead << 1)) |
                   (lead & ~(cont >> 1));
    /* The two-byte characters: letters no table replaces, or others. A
     * look-up at every byte, the leads' kept: no branch to mispredict. */
    unsigned letter2;
    if (t->ssse3) {
        /* The Arabic block by nibble sets, other characters one by one. */
        unsigned arabic = arabic_leads16(v) & lead & 0x7FFFu;
        struct mask2 sets = nib_arabic16x2(&t->skel_letter2, &t->skel_bad2, v);
        letter2 = sets.a & arabic;
        bad |= sets.b & arabic;
        for (unsigned m = lead & 0x7FFFu & ~arabic; m; m &= m - 1) {
            unsigned k = (unsigned)__builtin_ctz(m);
            uint32_t e = t->skel_small[(c[k] & 0x1Fu) << 6 | (c[k + 1] & 0x3Fu)];
            bad |= (e & 1u) << k;
            letter2 |= (e >> 16) << k;
        }
    } else {
        uint32_t two = 0;
        for (unsigned k = 0; k < 15; k++)
            two |= (uint32_t)t->skel_small[(c[k] & 0x1Fu) << 6 | (c[k + 1] & 0x3Fu)] << k;
        bad |= two & lead;
        letter2 = (two >> 16) & lead;
    }
    /* Letters by their first byte, their last, and every byte. */
    unsigned first = lt | letter2, last = lt | letter2 << 1, all = lt | letter2 | letter2 << 1;
    unsigned after = c[16];
    bool after_letter = after - 'a' < 26u;
    bool after_sep = (t->skel_vec[after] & SKEL_VEC_SEP) != 0;
    unsigned before_all = (all << 1 | (unsigned)*prev_letter) & 0xFFFFu;
    unsigned alone_end =
        last & ~(all >> 1 | (unsigned)after_letter << 15) & (sep >> 1 | (unsigned)after_sep << 15);
    bad |= first & ~before_all & ((alone_end & ascii) | (alone_end >> 1 & lead));
    /* As in fold_mixed16: the next chunk's start hangs on a predicted
     * branch and the cut before a last lead, not on the look-ups. */
    unsigned cut = lead >> 15;
    size_t good = 16 - cut;
    if (__builtin_expect((bad & (0xFFFFu >> cut)) != 0, 0)) {
        good = (size_t)__builtin_ctz(bad);
        if (good == 0)
            return 0;
    }
    /* Repeats: a letter after the same letter, one byte (ASCII) or two. */
    unsigned same1 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_slli_si128(v, 1)));
    unsigned same2 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_slli_si128(v, 2)));
    unsigned repeat = (same1 & lt & lt << 1) | (same2 & same2 >> 1 & letter2 & letter2 << 2);
    if (w->last_letter >= 0) {
        int32_t cp0 = (lead & 1) ? (int32_t)((c[0] & 0x1Fu) << 6 | (c[1] & 0x3Fu)) : c[0];
        repeat |= (unsigned)((first & 1) && cp0 == w->last_letter);
    }
    repeat = (repeat | (repeat & letter2) << 1) & ((1u << good) - 1);
    skel_emit16(w, v, c, fs, src_count, good, repeat);
    size_t end = good - 1; /* the last byte; its character starts at end or end - 1 */
    *prev_letter = (all >> end) & 1u;
    if (!*prev_letter) {
        w->last_letter = -1;
        *prev_plain = false;
    } else if ((ascii >> end) & 1u) {
        w->last_letter = c[end];
        *prev_plain = true;
    } else {
        w->last_letter = (int32_t)((c[end - 1] & 0x1Fu) << 6 | (c[end] & 0x3Fu));
        *prev_plain = !(t->skel2[w->last_letter] & SK_ARABIC);
    }
    return good;
}
#endif

int norm_skeleton(const struct norm_tables *tables, const struct norm_view *folded,
                  struct norm_view *out)
{
    assert(tables && folded && out && out != folded);
    const struct norm_tables *t = tables;
    const unsigned char *p = (const unsigned char *)folded->text;
    const uint32_t *fs = folded->src;
    const size_t len = folded->len;
    if (view_room(out, len, SKEL_ROOM))
        return QUELL_ENOMEM;
    struct skel_out w = {(unsigned char *)out->text, out->src, 0, out->cap, -1};
    out->soft_edge_count = 0;
#ifdef __SSE2__
    const bool padded = view_is_padded(folded);
    bool stopped = false; /* the last vector stopped before byte i */
#endif
    bool prev_letter = false; /* the character before i was read as a letter */
    bool prev_plain = false;  /* ... and was a plain (non-Arabic) one */
    size_t i = 0;
    while (i < len) {
        if (skel_room(out, &w))
            return QUELL_ENOMEM;
        unsigned b = p[i];
#ifdef __SSE2__
        /* Runs go 16 bytes at a time, unless the last chunk just stopped
         * at this byte: English through skel_ascii16, Arabic (any text of
         * one- and two-byte characters) through skel_mixed16. */
        bool try_vector = !stopped && b < 0xE0;
        stopped = false;
        if (try_vector && (b >= 0x80 || (i > 0 && p[i - 1] >= 0x80))) {
            size_t good;
            if (padded) {
                /* The padding makes 17 bytes (and 16 src) readable. */
                good = skel_mixed16(t, p + i, fs + i, 16, &w, &prev_letter, &prev_plain);
            } else {
                unsigned char c[17] = {0};
                size_t count = len - i < 16 ? len - i : 16;
                memcpy(c, p + i, count);
                c[16] = len - i > 16 ? p[i + 16] : 0;
                good = skel_mixed16(t, c, fs + i, count, &w, &prev_letter, &prev_plain);
                if (good > count)
                    good = count;
            }
            if (good) {
                i += good;
                /* A chunk cut before a character of two bytes at its end
                 * may go on at once. */
                stopped = good < 15;
                continue;
            }
        } else if (try_vector) {
            size_t good;
            if (padded) {
                /* The padding makes 16 bytes (and src) readable from any i. */
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
                __m128i before = i ? _mm_loadu_si128((const __m128i *)(const void *)(p + i - 1))
                                   : _mm_slli_si128(v, 1);
                good = skel_ascii16(t, v, before, p[i + 16], fs + i, 16, &w, &prev_letter);
            } else {
                /* A view from elsewhere: through a buffer, NUL-padded. */
                unsigned char c[17] = {0};
                size_t count = len - i < 16 ? len - i : 16;
                c[0] = i > 0 ? p[i - 1] : 0;
                memcpy(c + 1, p + i, count);
                unsigned char after = len - i > 16 ? p[i + 16] : 0;
                good = skel_ascii16(t, _mm_loadu_si128((const __m128i *)(const void *)(c + 1)),
                                    _mm_loadu_si128((const __m128i *)(const void *)c), after,
                                    fs + i, count, &w, &prev_letter);
                if (good > count)
                    good = count;
            }
            if (good) {
                prev_plain = prev_letter;
                i += good;
                stopped = good < 16;
                continue;
            }
        }
#endif
        if (b >= 0x80 && prev_letter && b - 0xC2u < 0x1Eu && len - i >= 2 &&
            (p[i + 1] & 0xC0) == 0x80) {
            /* Inside a word of two-byte letters (Arabic): one load. */
            uint32_t cp = (b & 0x1Fu) << 6 | (p[i + 1] & 0x3Fu);
            uint32_t e = t->skel2[cp];
            if (SK_CLASS(e) == SK_LETTER && !SK_LEN(e)) {
                if ((int32_t)cp != w.last_letter) {
                    w.o[w.n] = (unsigned char)b;
                    w.o[w.n + 1] = p[i + 1];
                    w.s[w.n] = w.s[w.n + 1] = fs[i];
                    w.n += 2;
                    w.last_letter = (int32_t)cp;
                }
                prev_plain = !(e & SK_ARABIC);
                i += 2;
                continue;
            }
        }
        int32_t cp;
        size_t next;
        uint32_t e = skel_at(t, p, len, i, &cp, &next);
        unsigned cls = SK_CLASS(e);
        if (cls == SK_LETTER) {
            bool plain = !(e & SK_ARABIC);
            size_t end, last;
            if (!prev_letter && !letter_follows(t, p, len, next, plain) &&
                (end = spaced_letters(t, p, len, next, &last)) != 0) {
                /*
                 * One letter of a spaced-out word: join the letters, drop
                 * the separators. A one-letter word spaced from the rest
                 * ("he is a c u n t", "f u c k u") is read both ways: the
                 * letters stay joined, so "i d i o t" and "a s s" are still
                 * one word, and a soft edge after (before) it lets a word
                 * also start (end) there, so "acunt" holds "cunt". Which
                 * reading is meant can't be told from the letters alone,
                 * and reading both costs no match. Only when at least
                 * three letters are left, so no short word appears. A
                 * sentence spelled out ("U R A C U N T") leads with several
                 * one-letter words, chat's "r" (are) among them: each gets
                 * its edge. ("r" only leads: at the end, "l o s e r".)
                 */
                int32_t last_cp;
                size_t last_next, letters = 0;
                (void)skel_at(t, p, len, last, &last_cp, &last_next);
                for (size_t k = i; k < end; k++)
                    letters += !is_sep_byte(t, p[k]) && (p[k] & 0xC0) != 0x80;
                bool lead = true; /* every letter so far a one-letter word */
                size_t done = 0;
                bool soft_right = is_one_letter_word(last_cp) && p[last - 1] == ' ' && letters >= 4;
                for (size_t k = i; k < end;) {
                    if (is_sep_byte(t, p[k])) {
                        k++;
                        continue;
                    }
                    if (skel_room(out, &w))
                        return QUELL_ENOMEM;
                    size_t kn;
                    int32_t kcp;
                    uint32_t ke = skel_at(t, p, len, k, &kcp, &kn);
                    if (k == last && soft_right && soft_edge_add(out, w.n))
                        return QUELL_ENOMEM;
                    skel_mapped(&w, t, ke, kcp, p + k, kn - k, fs[k]);
                    done++;
                    if (lead) {
                        lead = (is_one_letter_word(kcp) || kcp == 'r') && kn < len && p[kn] == ' ';
                        if (lead && letters - done >= 3 && soft_edge_add(out, w.n))
                            return QUELL_ENOMEM;
                    }
                    plain = !(ke & SK_ARABIC);
                    k = kn;
                }
                next = end;
            } else {
                skel_mapped(&w, t, e, cp, p + i, next - i, fs[i]);
            }
            prev_letter = true;
            prev_plain = plain;
        } else if (cls == SK_LEET) {
            size_t end;
            unsigned where = leet_run(t, p, len, i, prev_plain, &end);
            for (size_t k = i; k < end; k++) {
                if (skel_room(out, &w))
                    return QUELL_ENOMEM;
                uint32_t ke = t->skel_ascii[p[k]];
                prev_letter = (SK_WHERE(ke) & where) != 0;
                if (prev_letter)
                    skel_mapped(&w, t, ke, p[k], p + k, 1, fs[k]);
                else
                    skel_other(&w, p[k], p + k, 1, fs[k]);
            }
            prev_plain = prev_letter;
            next = end;
        } else {
            skel_other(&w, cp, p + i, next - i, fs[i]);
            prev_letter = prev_plain = false;
        }
        i = next;
    }
    /* src[len] is the original's length, as in the folded view. */
    w.s[w.n] = fs ? fs[len] : 0;
    out->len = w.n;
    return view_pad(out);
}

/* ------------------------------------------------------------------------ */

void norm_span(const struct norm_view *view, size_t view_start, size_t view_end, size_t *orig_start,
               size_t *orig_end)
{
    assert(view && orig_start && orig_end);
    assert(view_start <= view_end && view_end <= view->len);
    const uint32_t *s = view->src;
    *orig_start = s[view_start];
    if (view_start == view_end) {
        *orig_end = *orig_start;
        return;
    }
    /* The end is the start of the next character that produced a later
     * byte: bytes of one character (an expansion) share their src. */
    uint32_t last = s[view_end - 1];
    size_t j = view_end;
    while (j < view->len && s[j] <= last)
        j++;
    *orig_end = s[j];
}

unsigned norm_skeleton_run(const struct norm_tables *tables, const struct norm_view *folded,
                           const struct norm_view *skeleton, size_t i)
{
    /* The original bytes this character came from, up to the next
     * skeleton character's. */
    uint32_t from = skeleton->src[i];
    size_t j = i;
    while (j < skeleton->len && skeleton->src[j] == from)
        j++;
    uint32_t to = skeleton->src[j];
    /* The folded characters from the same original bytes (src is sorted). */
    size_t lo = 0, hi = folded->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (folded->src[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    const unsigned char *p = (const unsigned char *)folded->text;
    unsigned count = 0;
    for (size_t k = lo; k < folded->len && folded->src[k] < to; k++) {
        if ((p[k] & 0xC0) == 0x80 || is_sep_byte(tables, p[k]))
            continue;
        if (count < 255)
            count++;
    }
    return count ? count : 1;
}

/* Is word[0..len) in the dictionary of words with a doubled letter? */
static bool dict_has(const char *word, size_t len)
{
    size_t lo = 0, hi = norm_dict_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *d = norm_dict_words + norm_dict_offsets[mid];
        int c = strncmp(d, word, len);
        if (c == 0)
            c = d[len] != '\0';
        if (c < 0)
            lo = mid + 1;
        else if (c > 0)
            hi = mid;
        else
            return true;
    }
    return false;
}

/* The longest dictionary word, and then some: longer words are not looked up. */
#define DICT_WORD_MAX 32

static inline bool is_ascii_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

/* norm_skeleton_run, without its search when the letter came from a single
 * byte: one byte is one letter, and most letters end here. */
static unsigned letter_run(const struct norm_tables *tables, const struct norm_view *folded,
                           const struct norm_view *skeleton, size_t i)
{
    if (skeleton->src[i + 1] - skeleton->src[i] < 2)
        return 1;
    return norm_skeleton_run(tables, folded, skeleton, i);
}

bool norm_is_dict_double(const struct norm_tables *tables, const struct norm_view *folded,
                         const struct norm_view *skeleton, size_t i)
{
    const unsigned char *p = (const unsigned char *)skeleton->text;
    if (i >= skeleton->len || !is_ascii_lower(p[i]) ||
        letter_run(tables, folded, skeleton, i) != 2)
        return false;
    /* The skeleton's word around i, its runs spelled out again. */
    size_t from = i, to = i + 1;
    while (from > 0 && is_ascii_lower(p[from - 1]))
        from--;
    while (to < skeleton->len && is_ascii_lower(p[to]))
        to++;
    /* A letter of another script next to it: not an English word. */
    if ((from > 0 && p[from - 1] >= 0x80) || (to < skeleton->len && p[to] >= 0x80))
        return false;
    if (to - from > DICT_WORD_MAX)
        return false;
    char word[DICT_WORD_MAX];
    size_t len = 0;
    for (size_t k = from; k < to; k++) {
        unsigned run = k == i ? 2 : letter_run(tables, folded, skeleton, k);
        if (run > 2 || len + run > sizeof word)
            return false; /* stretched, or too long for any entry */
        for (unsigned r = 0; r < run; r++)
            word[len++] = (char)p[k];
    }
    return dict_has(word, len);
}

size_t norm_char_end(const struct norm_view *folded, uint32_t orig_off)
{
    /* src is sorted: the first folded byte from a later character. */
    size_t lo = 0, hi = folded->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (folded->src[mid] <= orig_off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return folded->src[lo];
}

void norm_trim(const struct norm_view *view, size_t *from, size_t *to)
{
    size_t a = 0, b = view->len;
    while (a < b && view->text[a] == ' ')
        a++;
    while (b > a && view->text[b - 1] == ' ')
        b--;
    *from = a;
    *to = b;
}
