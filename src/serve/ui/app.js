/*
 * app.js - the moderator's page of `quell serve`: checks one comment through
 * POST /v1/explain and shows why it got its action, and measures the rules on
 * a small labelled sample through POST /v1/eval (docs/serve.md).
 *
 * Every node is built with createElement and textContent: nothing from a
 * comment or from the service is ever parsed as HTML.
 */
"use strict";

(function () {
    const UTF8_IN = new TextEncoder();
    const UTF8_OUT = new TextDecoder("utf-8"); /* not fatal: a bad slice shows U+FFFD */
    const DASH = "\u2013";
    const MAX_BODY_BYTES = 1048576; /* the service's default --max-body */
    const PATTERN_CLIP_CHARS = 60;
    const MAX_LINK_CHARS = 8000; /* of a #text= link */
    const ACTIONS = ["pass", "flag", "hold", "reject"];
    const EXAMPLE_SAMPLE =
        "text,label\n" +
        "you are an idiot,1\n" +
        "have a nice day,0\n" +
        "\"what a lovely photo, thanks\",1\n" +
        "\u0627\u0646\u062a \u062d\u0645\u0627\u0631,0\n";
    const VIEW_NAMES = { raw: "raw", folded: "folded", skeleton: "skeleton", arabizi: "arabizi" };
    const REASONS = {
        allowed: "inside a word of its category's allow list",
        invalid: "its rule's validator refused it (e.g. a failed checksum)",
    };

    const ARABIC_SCRIPT = /\p{Script=Arabic}/u;
    const RTL_LETTER = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

    const $ = (id) => document.getElementById(id);

    /* The direction dir="auto" gives a text: that of its first letter. For a
     * text whose letters were masked (the censored body), to keep it in the
     * direction of the original. */
    function textDir(s) {
        const m = /\p{L}/u.exec(s);
        return m && RTL_LETTER.test(m[0]) ? "rtl" : "ltr";
    }

    /* Current rule set, from GET /v1/rules; a verdict made by another one
     * (the rules were reloaded) makes the header ask again. */
    let rulesId = null;
    let explainSeq = 0;
    let evalSeq = 0;

    /* ------------------------------------------------------------------ */
    /* Building nodes                                                      */

    /* el("td", {class: "n", title: "..."}, "text", node, ...): attributes are
     * set as attributes, children as text nodes or nodes; null is skipped. */
    function el(tag, attrs, ...children) {
        const node = document.createElement(tag);
        if (attrs) {
            for (const [k, v] of Object.entries(attrs)) {
                if (v === null || v === undefined || v === false)
                    continue;
                if (k === "class")
                    node.className = v;
                else
                    node.setAttribute(k, v === true ? "" : String(v));
            }
        }
        for (const c of children.flat()) {
            if (c === null || c === undefined || c === false)
                continue;
            node.append(c instanceof Node ? c : document.createTextNode(String(c)));
        }
        return node;
    }

    /* A table; a head ending in a space is a numeric column. Each cell is
     * labelled with its column's head, which narrow screens show when a
     * "cards" table's rows become cards. */
    function table(caption, heads, rows, cls) {
        const head = el("tr", null,
            heads.map((h) => el("th", { scope: "col", class: h.endsWith(" ") ? "n" : null }, h.trim())));
        for (const row of rows) {
            Array.from(row.cells).forEach((cell, i) => {
                if (heads[i] && !cell.hasAttribute("data-label"))
                    cell.dataset.label = heads[i].trim();
            });
        }
        return el("div", { class: "table-wrap" },
            el("table", { class: cls || null },
                caption ? el("caption", null, caption) : null,
                el("thead", null, head),
                el("tbody", null, rows)));
    }

    /* ------------------------------------------------------------------ */
    /* Numbers                                                             */

    /* A score: its shortest decimal to a thousandth ("3", "4.5"), as the
     * HTML eval report writes them. */
    function fmtScore(x) {
        if (typeof x !== "number" || !isFinite(x))
            return DASH;
        return String(Math.round(x * 1000) / 1000);
    }

    /* A ratio to three decimals; null (a zero denominator) is a dash. */
    function fmtRatio(x) {
        if (typeof x !== "number" || !isFinite(x))
            return DASH;
        return x.toFixed(3);
    }

    function fmtCount(x) {
        return typeof x === "number" && isFinite(x) ? String(x) : DASH;
    }

    /* A rule id that may break after its dots, never inside a word. */
    function ruleCode(id) {
        const code = el("code", { class: "rule" });
        String(id).split(".").forEach((part, i) => {
            if (i > 0)
                code.append(".", el("wbr"));
            code.append(part);
        });
        return code;
    }

    function plural(n, one, many) {
        return n + " " + (n === 1 ? one : many);
    }

    function actionBadge(action, small) {
        const a = String(action);
        const known = ACTIONS.includes(a);
        return el("span", { class: "badge" + (known ? " " + a : "") + (small ? " small" : "") }, a);
    }

    /* ------------------------------------------------------------------ */
    /* Marking byte spans in a text                                        */

    /*
     * The ranges of bytes to mark in a text, from spans of byte offsets into
     * its UTF-8 (the service counts bytes; JavaScript strings count UTF-16
     * units, so the text is encoded and sliced as bytes). Overlapping spans
     * merge into one range that keeps all their hits. A span off a character
     * boundary is widened to whole characters, and one outside the text or
     * empty is dropped: a bad span can neither cut a character nor throw.
     */
    function markRanges(bytes, spans) {
        const ok = spans.filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) &&
            s.start >= 0 && s.end <= bytes.length && s.start < s.end);
        ok.sort((a, b) => a.start - b.start || b.end - a.end);
        const ranges = [];
        for (const s of ok) {
            let start = s.start;
            let end = s.end;
            while (start > 0 && (bytes[start] & 0xc0) === 0x80)
                start--;
            while (end < bytes.length && (bytes[end] & 0xc0) === 0x80)
                end++;
            const last = ranges[ranges.length - 1];
            if (last && start < last.end) {
                last.end = Math.max(last.end, end);
                last.spans.push(s);
            } else {
                ranges.push({ start: start, end: end, spans: [s] });
            }
        }
        return ranges;
    }

    /* One line of a mark's tooltip per distinct rule/category/view. */
    function markTitle(spans) {
        const lines = [];
        for (const s of spans) {
            const h = s.hit;
            let line = String(h.rule);
            if (h.category !== undefined)
                line += " \u00b7 " + h.category;
            if (h.view !== undefined)
                line += " \u00b7 " + h.view + " view";
            if (!lines.includes(line))
                lines.push(line);
        }
        return lines.join("\n");
    }

    /*
     * A <p> showing text with the spans of hits marked. hits: objects with
     * start and end (byte offsets in text) and rule (category, view if known);
     * index: their place in the hits table, to light the mark from its row.
     */
    function markedText(text, hits, cls) {
        const p = el("p", { class: "text " + cls, dir: "auto" });
        if (text === "") {
            p.classList.add("empty");
            p.textContent = "(empty)";
            return p;
        }
        const bytes = UTF8_IN.encode(text);
        const ranges = markRanges(bytes, hits.map((h, i) => ({
            start: h.start, end: h.end, hit: h, index: h.index !== undefined ? h.index : i,
        })));
        let at = 0;
        for (const r of ranges) {
            if (r.start > at)
                p.append(UTF8_OUT.decode(bytes.subarray(at, r.start)));
            const mark = el("mark", { title: markTitle(r.spans) },
                UTF8_OUT.decode(bytes.subarray(r.start, r.end)));
            mark.dataset.hits = r.spans.map((s) => s.index).join(" ");
            p.append(mark);
            at = r.end;
        }
        if (at < bytes.length)
            p.append(UTF8_OUT.decode(bytes.subarray(at)));
        return p;
    }

    /* Light the marks of one hit while its row is hovered or focused. */
    function linkRowToMarks(row, container, index) {
        const marks = () => Array.from(container.querySelectorAll("mark")).filter(
            (m) => m.dataset.hits.split(" ").includes(String(index)));
        const on = () => {
            row.classList.add("lit");
            marks().forEach((m) => m.classList.add("lit"));
        };
        const off = () => {
            row.classList.remove("lit");
            marks().forEach((m) => m.classList.remove("lit"));
        };
        row.addEventListener("mouseenter", on);
        row.addEventListener("mouseleave", off);
        row.addEventListener("focusin", on);
        row.addEventListener("focusout", off);
    }

    /* ------------------------------------------------------------------ */
    /* Talking to the service                                              */

    /* A failure worth showing: the service's {"error": ...} or the reason it
     * could not be asked. */
    class ServiceError extends Error {
        constructor(message, status) {
            super(message);
            this.status = status;
        }
    }

    async function call(path, options) {
        let res;
        try {
            res = await fetch(new URL(path, document.baseURI), options);
        } catch (e) {
            throw new ServiceError("the service could not be reached (" + e.message + ")", 0);
        }
        const raw = await res.text();
        let body = null;
        try {
            body = JSON.parse(raw);
        } catch (e) {
            body = null;
        }
        if (!res.ok) {
            let message = body && typeof body.error === "string" ? body.error : null;
            if (message === null) {
                message = raw.trim() ? raw.trim().slice(0, 300) : res.statusText || "no answer";
            }
            throw new ServiceError(message, res.status);
        }
        if (body === null || typeof body !== "object")
            throw new ServiceError("the answer is not JSON", res.status);
        return body;
    }

    function showError(box, e) {
        box.replaceChildren();
        if (e instanceof ServiceError) {
            box.append(el("strong", null, e.status ? "The service said no (HTTP " + e.status + "):"
                : "Nothing sent:"), " ", e.message);
        } else {
            box.append(el("strong", null, "The page failed:"), " ", String(e && e.message || e));
        }
        box.hidden = false;
    }

    /* ------------------------------------------------------------------ */
    /* The header: which rules are served                                  */

    async function loadRules() {
        const info = $("rules-info");
        try {
            const r = await call("v1/rules");
            rulesId = r.rules_id;
            const sep = () => el("span", { class: "sep", "aria-hidden": "true" }, "|");
            const parts = [
                el("span", null, "Rules ", el("code", { id: "rules-id" }, String(r.rules_id))),
                sep(),
                r.label ? el("span", null, "label ", el("strong", { id: "rules-label", dir: "auto" }, String(r.label)))
                    : el("span", { id: "rules-label", class: "muted" }, "no label"),
            ];
            if (typeof r.rule_count === "number")
                parts.push(sep(), el("span", null, plural(r.rule_count, "rule", "rules")));
            if (r.path)
                parts.push(sep(), el("code", { dir: "ltr" }, String(r.path)));
            if (r.loaded_at)
                parts.push(sep(), el("span", null, "loaded " + String(r.loaded_at).replace("T", " ").replace("Z", " UTC")));
            if (r.thresholds)
                parts.push(sep(), el("span", null, thresholdsText(r.thresholds)));
            info.replaceChildren(...parts);
        } catch (e) {
            info.replaceChildren(el("span", { class: "error-inline" },
                "Could not read the rules being served: " + e.message));
        }
        document.documentElement.dataset.ready = "1";
    }

    function thresholdsText(t) {
        return ["flag", "hold", "reject"].filter((a) => t && typeof t[a] === "number")
            .map((a) => a + " at " + fmtScore(t[a])).join(", ");
    }

    /* ------------------------------------------------------------------ */
    /* Check a comment                                                     */

    async function check() {
        const body = $("comment").value;
        const author = $("author").value;
        const box = $("result");
        const errorBox = $("check-error");
        const status = $("check-status");
        const seq = ++explainSeq;
        errorBox.hidden = true;
        if (body.trim() === "") {
            showError(errorBox, new ServiceError("the comment box is empty", 0));
            box.hidden = true;
            box.dataset.state = "error";
            box.dataset.seq = String(seq);
            return;
        }
        const request = { body: body };
        if (author !== "")
            request.author = author;
        status.textContent = "Checking\u2026";
        box.dataset.state = "busy";
        box.setAttribute("aria-busy", "true");
        try {
            const d = await call("v1/explain", {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify(request),
            });
            if (seq !== explainSeq)
                return; /* a newer check is under way */
            renderExplain(box, d);
            box.hidden = false;
            box.dataset.state = "done";
            /* Said in the status too, for a screen reader (role="status"). */
            status.textContent = "Checked: " + String(d.action) + ", score " + fmtScore(d.score) + ".";
            setShareLink(body, author);
            if (d.rules_id && rulesId && d.rules_id !== rulesId)
                loadRules();
        } catch (e) {
            if (seq !== explainSeq)
                return;
            showError(errorBox, e);
            status.textContent = "";
            box.hidden = true; /* the last result is not this comment's */
            box.dataset.state = "error";
        } finally {
            if (seq === explainSeq) {
                box.removeAttribute("aria-busy");
                box.dataset.seq = String(seq);
            }
        }
    }

    /* The link that opens this page with the comment in the box. */
    function shareHash(body, author) {
        const q = new URLSearchParams();
        q.set("text", body);
        if (author)
            q.set("author", author);
        return "#" + q.toString();
    }

    function setShareLink(body, author) {
        const a = $("share");
        const hash = shareHash(body, author);
        if (hash.length > MAX_LINK_CHARS) {
            /* Too long to share as an address: some browsers and servers cut them. */
            a.hidden = true;
            if (location.hash)
                history.replaceState(null, "", location.pathname + location.search);
            return;
        }
        a.href = hash;
        a.hidden = false;
        /* The address bar becomes the link too, without a new history entry. */
        if (location.hash !== hash)
            history.replaceState(null, "", hash);
    }

    /* #text=<urlencoded comment>[&author=...]: fill the form, never submit. */
    function prefillFromHash() {
        if (!location.hash.startsWith("#"))
            return;
        const q = new URLSearchParams(location.hash.slice(1));
        if (q.has("text"))
            $("comment").value = q.get("text");
        if (q.has("author"))
            $("author").value = q.get("author");
    }

    function renderExplain(box, d) {
        const fields = Array.isArray(d.fields) ? d.fields : [];
        const hits = (Array.isArray(d.hits) ? d.hits : []).map((h, i) => Object.assign({ index: i }, h));
        const excused = Array.isArray(d.excused) ? d.excused : [];
        const parts = [renderVerdict(d)];

        /* The comment, its hits marked. */
        parts.push(el("h3", null, "The comment"));
        const texts = el("dl", { class: "texts" });
        for (const f of fields) {
            const name = String(f.field);
            const own = hits.filter((h) => h.field === f.field);
            const dd = el("dd", { class: "field-" + (name === "author" ? "author" : "body") },
                markedText(String(f.text), own, "original"));
            texts.append(el("dt", null, name === "body" ? "Comment" : name === "author" ? "Author" : name), dd);
        }
        parts.push(texts);
        const ruleCount = new Set(hits.map((h) => h.rule)).size;
        parts.push(el("p", { class: "note" }, hits.length === 0
            ? "No rule matched."
            : plural(hits.length, "hit", "hits") + " by " + plural(ruleCount, "rule", "rules") +
            "; hover a highlight for its rules, or a row below to find its highlight."));
        if (d.is_truncated) {
            parts.push(el("p", { class: "note" },
                "More hits matched than the service keeps: the list is cut, the counts and score are exact."));
        }

        parts.push(renderBuildUp(d));
        parts.push(renderHits(hits, texts));
        parts.push(renderViews(fields));
        parts.push(renderExcused(excused));
        box.replaceChildren(...parts.filter(Boolean));
    }

    function renderVerdict(d) {
        const t = d.thresholds || {};
        const known = ACTIONS.includes(String(d.action));
        const v = el("div", { class: "verdict" + (known ? " " + d.action : ""), id: "verdict" },
            actionBadge(d.action),
            el("span", { class: "score" }, "score ", el("b", { id: "score" }, fmtScore(d.score))),
            el("span", { class: "thresholds" }, thresholdsText(t)),
            d.rules_id ? el("span", { class: "rules-id" }, "rules ", el("code", null, String(d.rules_id))) : null);
        v.querySelector(".badge").id = "action-badge";
        const scale = renderScale(d.score, t);
        if (scale)
            v.append(scale);
        return v;
    }

    /* The score as a needle over the thresholds' zones; decoration only (the
     * sentence beside it says the same), so hidden from screen readers. */
    function renderScale(score, t) {
        const flag = t.flag, hold = t.hold, reject = t.reject;
        if (![flag, hold, reject].every((x) => typeof x === "number" && isFinite(x)) ||
            !(flag > 0 && flag <= hold && hold <= reject) || typeof score !== "number" || !isFinite(score))
            return null;
        const top = Math.max(reject * 1.3, score * 1.08);
        const pct = (x) => (Math.max(0, Math.min(x, top)) / top * 100) + "%";
        const zones = el("div", { class: "zones" });
        const edges = [[0, flag, "pass"], [flag, hold, "flag"], [hold, reject, "hold"], [reject, top, "reject"]];
        for (const [a, b, name] of edges) {
            const z = el("div", { class: "zone " + name });
            z.style.width = ((b - a) / top * 100) + "%";
            zones.append(z);
        }
        const scale = el("div", { class: "scale", "aria-hidden": "true" }, zones);
        for (const [x, name] of [[flag, "flag"], [hold, "hold"], [reject, "reject"]]) {
            const tick = el("span", { class: "tick" }, name + " " + fmtScore(x));
            tick.style.left = pct(x);
            scale.append(tick);
        }
        const needle = el("span", { class: "needle" });
        needle.style.left = pct(score);
        const label = el("span", { class: "needle-label" }, fmtScore(score));
        label.style.left = pct(score);
        scale.append(needle, label);
        return scale;
    }

    function renderBuildUp(d) {
        const rules = Array.isArray(d.rules) ? d.rules : [];
        const cats = Array.isArray(d.categories) ? d.categories : [];
        const wrap = el("div", null, el("h3", null, "How the score builds up"));
        const row = el("div", { class: "row" });
        const ruleRows = rules.map((r) => el("tr", { class: r.score === 0 ? "zero" : null },
            el("td", null, ruleCode(r.id)),
            el("td", null, String(r.category)),
            el("td", { class: "n" }, fmtCount(r.count)),
            el("td", { class: "n" }, fmtScore(r.score))));
        if (ruleRows.length === 0)
            ruleRows.push(el("tr", null, el("td", { colspan: 4, class: "muted" }, "No rule fired.")));
        row.append(table("Rules that fired", ["rule", "category", "count ", "score "], ruleRows));

        const catRows = cats.map((c) => el("tr", { class: c.score ? null : "zero" },
            el("td", null, String(c.name)),
            el("td", { class: "n" }, fmtScore(c.score)),
            el("td", { class: "muted" }, c.separate ? "separate: stands alone, not added" : "")));
        const separateHigh = cats.filter((c) => c.separate && c.score > 0);
        catRows.push(el("tr", { class: "total" },
            el("td", null, "total"),
            el("td", { class: "n", id: "total-score" }, fmtScore(d.score)),
            el("td", { class: "muted" }, separateHigh.length
                ? "the sum of the others, or a separate score if higher" : "")));
        row.append(table("Category scores", ["category", "score ", ""], catRows));
        wrap.append(row);
        return wrap;
    }

    /* A pattern, clipped with the whole of it one click away. */
    function patternCell(pattern) {
        const p = String(pattern === undefined ? "" : pattern);
        const chars = Array.from(p);
        const code = (s) => el("code", { dir: "auto", class: ARABIC_SCRIPT.test(s) ? "arabic" : null }, s);
        if (chars.length <= PATTERN_CLIP_CHARS)
            return el("td", { class: "pattern" }, code(p));
        return el("td", { class: "pattern" },
            el("details", null,
                el("summary", null, code(chars.slice(0, PATTERN_CLIP_CHARS - 1).join("") + "\u2026")),
                code(p)));
    }

    function renderHits(hits, texts) {
        if (hits.length === 0)
            return null;
        const rows = hits.map((h, i) => {
            const tr = el("tr", { tabindex: "0", id: "hit-" + i },
                el("td", { class: "n", "data-label": "hit" }, String(i + 1)),
                el("td", null, ruleCode(h.rule)),
                el("td", null, String(h.category)),
                el("td", null, String(h.field) === "body" ? VIEW_NAMES[h.view] || String(h.view)
                    : String(h.field) + ", " + String(h.view)),
                patternCell(h.pattern),
                el("td", { class: "n mono" }, h.start + "\u2013" + h.end),
                el("td", { class: "hit-text" }, el("bdi", null, String(h.text))));
            linkRowToMarks(tr, texts, h.index);
            return tr;
        });
        return el("div", null, el("h3", null, "Hits"),
            el("p", { class: "note" }, "Each match, with the view it was found in and its bytes in the original (end excluded)."),
            table(null, ["#", "rule", "category", "view", "pattern", "bytes ", "text"], rows, "full cards hits"));
    }

    function renderViews(fields) {
        const dl = el("dl", { class: "texts" });
        for (const f of fields) {
            const views = f.views || {};
            const who = fields.length > 1 ? (f.field === "author" ? "Author, " : "Comment, ") : "";
            for (const name of ["folded", "skeleton", "arabizi"]) {
                if (typeof views[name] !== "string")
                    continue;
                dl.append(el("dt", null, who + name),
                    el("dd", { class: "view-" + name }, el("p", { class: "text view", dir: "auto" }, views[name])));
            }
            if (typeof f.censored === "string") {
                dl.append(el("dt", null, who + "censored"),
                    el("dd", null, el("p", { class: "text view", dir: textDir(String(f.text)) }, f.censored)));
            }
        }
        return el("div", null, el("h3", null, "How the rules read it"),
            el("p", { class: "note" }, "Patterns are matched against the raw text and these views. " +
                "Folded: normalised (NFKC), case folded, marks removed. " +
                "Skeleton: folded, then look-alikes, leetspeak, spacing and repeats undone. " +
                "Arabizi: the Latin words as consonant outlines, where Arabic words are matched as Arabizi."),
            dl);
    }

    function renderExcused(excused) {
        const wrap = el("div", null, el("h3", null, "Excused hits"));
        if (excused.length === 0) {
            wrap.append(el("p", { class: "muted" }, "None: no match was set aside."));
            return wrap;
        }
        wrap.append(el("p", { class: "note" }, "Matches left out of the score, and why."));
        const rows = excused.map((h) => el("tr", null,
            el("td", null, ruleCode(h.rule)),
            el("td", null, String(h.category)),
            el("td", null, String(h.view)),
            el("td", { class: "hit-text" }, el("bdi", null, String(h.text))),
            el("td", { class: "n mono" }, h.start + "\u2013" + h.end),
            el("td", null, el("strong", null, String(h.reason)), " ",
                el("span", { class: "muted" }, REASONS[h.reason] ? "(" + REASONS[h.reason] + ")" : ""))));
        wrap.append(table(null, ["rule", "category", "view", "text", "bytes ", "reason"], rows, "full cards excused"));
        return wrap;
    }

    /* ------------------------------------------------------------------ */
    /* Measure on a labelled sample                                        */

    async function measure() {
        const sample = $("sample").value;
        const positive = $("positive").value.trim();
        const format = $("sample-format").value;
        const box = $("eval-result");
        const errorBox = $("eval-error");
        const status = $("eval-status");
        const seq = ++evalSeq;
        errorBox.hidden = true;
        const done = (state, said) => {
            if (state === "error")
                box.hidden = true; /* the last figures are not this sample's */
            if (seq === evalSeq) {
                box.dataset.state = state;
                box.dataset.seq = String(seq);
                box.removeAttribute("aria-busy");
                status.textContent = said || "";
            }
        };
        if (sample.trim() === "") {
            showError(errorBox, new ServiceError("the sample is empty: paste a few labelled rows, or read a file", 0));
            done("error");
            return;
        }
        const bytes = UTF8_IN.encode(sample);
        if (bytes.length > MAX_BODY_BYTES) {
            showError(errorBox, new ServiceError("the sample is " + bytes.length +
                " bytes; the service takes up to " + MAX_BODY_BYTES + " by default", 0));
            done("error");
            return;
        }
        let path = "v1/eval";
        if (positive !== "")
            path += "?positive=" + encodeURIComponent(positive);
        status.textContent = "Measuring\u2026";
        box.dataset.state = "busy";
        box.setAttribute("aria-busy", "true");
        try {
            const d = await call(path, {
                method: "POST",
                headers: { "Content-Type": format },
                body: bytes,
            });
            if (seq !== evalSeq)
                return;
            renderEval(box, d, positive);
            box.hidden = false;
            done("done", "Measured: precision " + fmtRatio(d.precision) + ", recall " + fmtRatio(d.recall) + ".");
        } catch (e) {
            if (seq !== evalSeq)
                return;
            showError(errorBox, e);
            done("error");
        }
    }

    function renderEval(box, d, positive) {
        const c = d.counts || {};
        const figure = (name, key, value, title) => el("div", { class: "figure", title: title || null },
            el("span", { class: "name" }, name),
            el("span", { class: "value", id: "fig-" + key }, value));
        const undefinedTitle = "undefined: no comment in its denominator";
        const parts = [
            el("p", null, plural(d.comments || 0, "comment", "comments") + " measured",
                d.malformed ? ", " + plural(d.malformed, "row", "rows") + " malformed (left out of every figure)" : "",
                ". Should be flagged: labels ", el("code", { dir: "auto" }, positive || "1,true,yes,toxic,abusive"),
                "; a comment counts as flagged at ", el("strong", null, "flag"), " or worse."),
            el("div", { class: "figures" },
                figure("Precision", "precision", fmtRatio(d.precision), d.precision === null ? undefinedTitle : null),
                figure("Recall", "recall", fmtRatio(d.recall), d.recall === null ? undefinedTitle : null),
                figure("F1", "f1", fmtRatio(d.f1), d.f1 === null ? undefinedTitle : null),
                figure("False-positive rate", "fpr", fmtRatio(d.fpr), d.fpr === null ? undefinedTitle : null)),
        ];
        const cell = (cls, tag, n) => el("td", { class: "n " + cls }, el("span", { class: "muted" }, tag + " "), fmtCount(n));
        parts.push(table("Confusion matrix", ["", "flagged ", "passed "], [
            el("tr", null, el("th", { scope: "row" }, "should be flagged"), cell("tp", "TP", c.tp), cell("", "FN", c.fn)),
            el("tr", null, el("th", { scope: "row" }, "should pass"), cell("fp", "FP", c.fp), cell("", "TN", c.tn)),
        ], "matrix"));

        const errors = Array.isArray(d.errors) ? d.errors : [];
        if (errors.length) {
            parts.push(el("h3", null, "Rows that could not be read"),
                el("ul", { class: "errors" }, errors.map((e) =>
                    el("li", null, "row " + fmtCount(e.row) + ": ", el("span", { dir: "auto" }, String(e.error))))));
        }

        const wrong = Array.isArray(d.wrong) ? d.wrong : [];
        const fp = wrong.filter((w) => w.expected === "pass").length;
        parts.push(el("h3", null, "Comments the rules got wrong ",
            el("span", { class: "muted" }, "(" + plural(fp, "false positive", "false positives") + ", " +
                (wrong.length - fp) + " missed" + (d.wrong_truncated ? "; only the first " + wrong.length + " listed" : "") + ")")));
        if (wrong.length === 0) {
            parts.push(el("p", { class: "muted" }, "None: every comment got what its label asked for."));
        } else {
            const hasIds = wrong.some((w) => w.id !== undefined && w.id !== null);
            const rows = wrong.map((w) => {
                const isFp = w.expected === "pass";
                const explain = el("button", { type: "button", class: "small" }, "Explain");
                explain.addEventListener("click", () => {
                    $("comment").value = String(w.text);
                    $("author").value = "";
                    $("comment").focus();
                    $("check-panel").scrollIntoView({ block: "start" });
                    check();
                });
                return el("tr", { class: "wrong " + (isFp ? "fp" : "fn") },
                    el("td", { class: "n" }, fmtCount(w.row)),
                    el("td", { class: "kind" }, isFp ? "false positive" : "missed"),
                    hasIds ? el("td", null, el("bdi", null, w.id === undefined || w.id === null ? "" : String(w.id))) : null,
                    el("td", null, el("bdi", null, el("code", null, String(w.label)))),
                    el("td", null, actionBadge(w.action, true)),
                    el("td", { class: "n" }, fmtScore(w.score)),
                    el("td", { class: "sample-text" },
                        markedText(String(w.text), Array.isArray(w.hits) ? w.hits : [], "sample")),
                    el("td", null, explain));
            });
            const heads = ["row ", "kind"].concat(hasIds ? ["id"] : [],
                ["label", "action", "score ", "comment", ""]);
            parts.push(table(null, heads, rows, "full cards wrong"));
        }
        box.replaceChildren(...parts);
    }

    async function readFile() {
        const input = $("sample-file");
        const file = input.files && input.files[0];
        if (!file)
            return;
        const errorBox = $("eval-error");
        errorBox.hidden = true;
        if (file.size > MAX_BODY_BYTES) {
            showError(errorBox, new ServiceError(file.name + " is " + file.size +
                " bytes; the service takes up to " + MAX_BODY_BYTES + " by default", 0));
            return;
        }
        const name = file.name.toLowerCase();
        if (name.endsWith(".tsv"))
            $("sample-format").value = "text/tab-separated-values";
        else if (name.endsWith(".jsonl") || name.endsWith(".ndjson"))
            $("sample-format").value = "application/x-ndjson";
        else
            $("sample-format").value = "text/csv";
        try {
            $("sample").value = await file.text();
            $("eval-status").textContent = "Read " + file.name + ".";
        } catch (e) {
            showError(errorBox, new ServiceError("could not read " + file.name + ": " + e.message, 0));
        }
    }

    /* ------------------------------------------------------------------ */
    /* Wiring                                                              */

    function onCtrlEnter(node, fn) {
        node.addEventListener("keydown", (ev) => {
            if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
                ev.preventDefault();
                fn();
            }
        });
    }

    function start() {
        $("check-form").addEventListener("submit", (ev) => {
            ev.preventDefault();
            check();
        });
        onCtrlEnter($("comment"), check);
        onCtrlEnter($("author"), check);
        $("eval-form").addEventListener("submit", (ev) => {
            ev.preventDefault();
            measure();
        });
        onCtrlEnter($("sample"), measure);
        $("sample-file").addEventListener("change", readFile);
        $("sample-example").addEventListener("click", () => {
            $("sample").value = EXAMPLE_SAMPLE;
            $("sample-format").value = "text/csv";
            $("positive").value = "1";
            $("sample").focus();
        });
        window.addEventListener("hashchange", prefillFromHash);
        prefillFromHash();
        loadRules();
    }

    if (document.readyState === "loading")
        document.addEventListener("DOMContentLoaded", start);
    else
        start();
})();
