//! Sentence boundaries: one forward scan over the bytes that stops only at candidates.
//!
//! Most bytes are letters and spaces; a 256-entry class table skips them in a tight loop.
//! Only terminal punctuation (`.`, `!`, `?` and their Unicode relatives), newlines, list
//! parentheses and bullets are looked at closely, and each decision reads a few bytes
//! around the candidate: the word before, the word after. Nothing is allocated except the
//! output spans.

use article::Span;

use crate::words::{self, COMMON, GREETING, SIGN_OFF, SPEECH, STARTER, TIME_FOLLOWER, TITLE};

/// Byte classes of the scan table.
const PLAIN: u8 = 0;
const DOT: u8 = 1;
const BANG: u8 = 2;
const NEWLINE: u8 = 3;
const PAREN: u8 = 4;
/// Lead byte of a multi-byte character that may be terminal punctuation or a bullet.
const HIGH: u8 = 5;
/// `/`, which may be part of an e-mail header's date.
const SLASH: u8 = 6;

/// Candidate classes per byte; everything else is skipped without a branch per byte kind.
static CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    t[b'.' as usize] = DOT;
    t[b'!' as usize] = BANG;
    t[b'?' as usize] = BANG;
    t[b'\n' as usize] = NEWLINE;
    t[b')' as usize] = PAREN;
    t[b'/' as usize] = SLASH;
    // U+2026 … U+2022 • U+2043 ⁃ U+203C ‼ and friends start with E2; U+3002 。 with E3;
    // fullwidth ！？．) with EF; Arabic ؟ with D8; Devanagari । with E0.
    t[0xE2] = HIGH;
    t[0xE3] = HIGH;
    t[0xEF] = HIGH;
    t[0xD8] = HIGH;
    t[0xE0] = HIGH;
    t
};

/// How a list item is marked, so "2)" continues a list started by "1)" but not one of "1.".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// `1.`, `a.`
    Dot,
    /// `1.)`
    DotParen,
    /// `1)`, `a)`
    Paren,
}

/// An open enumerated list: the marker expected next.
#[derive(Debug, Clone, Copy)]
struct List {
    /// The next item's number, or letter as its ASCII code.
    next: u32,
    /// Whether items are numbered (`1.`) or lettered (`a.`).
    letters: bool,
    /// The marker style of the items so far.
    marker: Marker,
}

/// `List::next` of a list numbered in roman numerals: `ROMAN + n`, above every decimal
/// marker (at most three digits).
const ROMAN: u32 = 1000;

impl List {
    /// The list after `word` when `word` is its next marker ("2" after "1", "b" after "a",
    /// "iii" after "ii"), else `None`. A lettered list opened by "i" turns out to be roman
    /// at "ii".
    fn item(self, word: &[u8]) -> Option<List> {
        if let Some((value, letters)) = list_value(word) {
            if self.next == value && self.letters == letters {
                return Some(List {
                    next: value + 1,
                    ..self
                });
            }
        }
        let roman = ROMAN + roman_value(word)?;
        let expected = if self.letters && self.next == u32::from(b'j') {
            ROMAN + 2
        } else {
            self.next
        };
        (expected == roman).then_some(List {
            next: roman + 1,
            letters: false,
            ..self
        })
    }
}

/// The value of a roman numeral list marker from `i` to `x`, either case.
fn roman_value(word: &[u8]) -> Option<u32> {
    const NUMERALS: [&[u8]; 10] = [
        b"i", b"ii", b"iii", b"iv", b"v", b"vi", b"vii", b"viii", b"ix", b"x",
    ];
    // Most words fail here, before the table is walked (this runs at every ")").
    if word.is_empty() || word.len() > 4 || !word.iter().all(|c| b"ivxIVX".contains(c)) {
        return None;
    }
    (1..)
        .zip(NUMERALS)
        .find_map(|(value, n)| n.eq_ignore_ascii_case(word).then_some(value))
}

/// The state of one scan.
struct Scan<'t, 'o> {
    /// The text being split.
    text: &'t str,
    /// `text` as bytes, for the scan.
    b: &'t [u8],
    /// Where the current sentence started (may point at whitespace; trimmed on push).
    start: usize,
    /// The list being enumerated, if any.
    list: Option<List>,
    /// Whether line breaks are layout (hard-wrapped wire copy) rather than structure (one
    /// paragraph or headline per line); measured on the first newline that needs it.
    wrapped: Option<bool>,
    /// The spans found so far.
    out: &'o mut dyn FnMut(Span),
    /// First letter or digit of the current sentence, once found.
    content_at: Option<usize>,
    /// How far the current sentence is known to hold no letter or digit.
    scanned: usize,
    /// The abbreviations of the text's language, when it is not English.
    language: Option<&'static words::Index>,
}

/// Calls `out` with each sentence span of `text`, in order. A callback rather than a `Vec`
/// so `analyse_into` can store spans straight into its sentences.
pub(crate) fn split(text: &str, out: &mut dyn FnMut(Span)) {
    split_with(text, None, out);
}

/// Like [`split`], with the abbreviations of another language consulted beside the English
/// ones (`None`: English only).
pub(crate) fn split_with(
    text: &str,
    language: Option<&'static words::Index>,
    out: &mut dyn FnMut(Span),
) {
    let b = text.as_bytes();
    let mut s = Scan {
        text,
        b,
        start: 0,
        list: None,
        wrapped: None,
        out,
        content_at: None,
        scanned: 0,
        language,
    };
    let n = b.len();
    s.after_push(0);
    let mut i = 0;
    while i < n {
        i = next_candidate(b, i);
        if i >= n {
            break;
        }
        i = match CLASS[b[i] as usize] {
            DOT | BANG => s.terminal(i, 1),
            NEWLINE => s.newline(i),
            PAREN => s.paren(i),
            HIGH => s.high(i),
            SLASH => s.slash(i),
            // Another non-ASCII byte: letters like "é" are never boundaries.
            _ => i + 1,
        };
    }
    s.push(n);
}

/// Bytes with every lane set to 0x01 and to 0x80, for eight-bytes-at-a-time scanning.
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each lane of `v` that is zero; exact for the lowest such lane (higher
/// lanes may be false positives, which the first-match search never looks at).
#[inline(always)]
fn zero_lanes(v: u64) -> u64 {
    v.wrapping_sub(LO) & !v & HI
}

/// The first position at or after `i` that may be a candidate: ASCII terminal punctuation,
/// a newline, `)`, `/`, or any non-ASCII byte. Checks eight bytes per step (SWAR) because this
/// loop is where nearly all the time of the scan goes.
#[inline]
fn next_candidate(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(chunk);
        let w = u64::from_le_bytes(lanes);
        let hits = (w & HI)
            // `.` (0x2E) and `/` (0x2F) in one test: with the low bit set both are 0x2F.
            | zero_lanes((w | LO) ^ (LO * u64::from(b'/')))
            | zero_lanes(w ^ (LO * u64::from(b'\n')))
            | zero_lanes(w ^ (LO * u64::from(b'!')))
            | zero_lanes(w ^ (LO * u64::from(b'?')))
            | zero_lanes(w ^ (LO * u64::from(b')')));
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && CLASS[b[i] as usize] == PLAIN && b[i] < 0x80 {
        i += 1;
    }
    i
}

/// The first `\n` at or after `i`, eight bytes per step.
#[inline]
fn find_newline(b: &[u8], mut i: usize) -> Option<usize> {
    while let Some(chunk) = b.get(i..i + 8) {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(chunk);
        let hits = zero_lanes(u64::from_le_bytes(lanes) ^ (LO * u64::from(b'\n')));
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?.iter().position(|&c| c == b'\n').map(|p| i + p)
}

/// Decodes the char at byte `i` (which must be a char boundary), or `None` at the end.
#[inline]
fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|rest| rest.chars().next())
}

/// Decodes the char that ends just before byte `i`.
#[inline]
fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|head| head.chars().next_back())
}

/// Unicode terminal punctuation that ends a sentence even without a following space
/// (CJK text has no spaces).
#[inline]
fn is_cjk_terminal(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '．' | '｡')
}

/// Terminal punctuation that is not ASCII.
#[inline]
fn is_unicode_terminal(c: char) -> bool {
    is_cjk_terminal(c) || matches!(c, '‼' | '⁇' | '⁈' | '⁉' | '‽' | '؟' | '।' | '…')
}

/// Characters that close a quotation or bracket after terminal punctuation.
#[inline]
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '}' | '”' | '’' | '»' | '›' | '」' | '』' | '）' | '〕'
    )
}

/// Characters that open a quotation or bracket before a sentence's first word.
#[inline]
fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '(' | '[' | '{' | '“' | '‘' | '«' | '‹' | '「' | '『' | '（' | '¿' | '¡'
    )
}

/// List bullets that start an item wherever they stand after whitespace.
#[inline]
fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '•' | '⁃'
            | '◦'
            | '▪'
            | '▫'
            | '●'
            | '○'
            | '■'
            | '□'
            | '►'
            | '▶'
            | '➢'
            | '✓'
            | '✔'
    )
}

/// True for characters that carry words: letters, digits, and marks.
#[inline]
fn is_wordy(c: char) -> bool {
    c.is_alphanumeric()
}

impl Scan<'_, '_> {
    /// Ends the current sentence at `end` (trimmed) and starts the next one there.
    fn push(&mut self, end: usize) {
        // A boundary inside a character or behind the sentence start would lose text;
        // refusing it keeps the coverage invariant whatever a rule computed.
        if end <= self.start || !self.text.is_char_boundary(end) {
            // An empty sentence changes nothing (and its start was looked at already).
            return;
        }
        push_trimmed(self.text, self.start, end, self.out);
        self.start = end;
        self.content_at = None;
        self.scanned = end;
        self.after_push(end);
    }

    /// Looks at what opens the sentence that starts at `end`: a separator line ("-----",
    /// "__", "--" before a signature) or an e-mail sign-off or greeting ("Best regards,",
    /// "Dear All,") is a sentence of its own, though no candidate byte ends it.
    fn after_push(&mut self, end: usize) {
        let b = self.b;
        let mut p = end;
        while p < b.len() && b[p].is_ascii_whitespace() {
            p += 1;
        }
        let Some(&c) = b.get(p) else {
            return;
        };
        if c.is_ascii_uppercase() {
            if words::may_open_letter(&b[p..]) {
                self.letter_phrase(p);
            }
            return;
        }
        if matches!(c, b'-' | b'_' | b'=' | b'*' | b'~' | b'#') {
            let run = b[p..].iter().take_while(|&&x| x == c).count();
            let e = p + run;
            if run >= 2 && b.get(e).is_some_and(u8::is_ascii_whitespace) {
                self.push(e);
            }
        }
    }

    /// A sign-off or greeting at `p` ("Best regards,", "Dear All,") followed by a line
    /// break or a capitalised word ends its own sentence after the comma.
    #[cold]
    fn letter_phrase(&mut self, p: usize) {
        let b = self.b;
        // The shape first, since nearly every sentence fails it: up to three words of
        // letters, then a comma. Only then are the words looked up.
        let n = b.len();
        let mut q = p;
        let mut spans = [(0usize, 0usize); 3];
        let mut count = 0;
        loop {
            let from = q;
            while q < n && b[q].is_ascii_alphabetic() {
                q += 1;
            }
            if q == from || count == spans.len() {
                return;
            }
            spans[count] = (from, q);
            count += 1;
            match b.get(q) {
                Some(b',') => break,
                Some(b' ') => q += 1,
                _ => return,
            }
        }
        let greeting = words::flags(&b[spans[0].0..spans[0].1]) & GREETING != 0;
        let fits = spans[..count].iter().enumerate().all(|(at, &(from, to))| {
            let word = &b[from..to];
            words::flags(word) & SIGN_OFF != 0
                || greeting && (at == 0 || word[0].is_ascii_uppercase())
        });
        if !fits {
            return;
        }
        let comma = q + 1;
        let mut r = comma;
        let mut line_break = false;
        while r < b.len() && b[r].is_ascii_whitespace() {
            line_break |= b[r] == b'\n';
            r += 1;
        }
        if r == comma && r < b.len() {
            return;
        }
        if r >= b.len() || line_break || b[r].is_ascii_uppercase() {
            self.push(comma);
        }
    }

    /// At a dot inside a token (`i`): when the token is a web or e-mail address that ends
    /// the line of thought ("at ann@example.com Thanks", "a.html http://b.html"), the
    /// sentence ends after it. Returns where the scan continues.
    fn address_end(&mut self, i: usize) -> usize {
        let b = self.b;
        let n = b.len();
        // The rest of the token, unless another dot follows (that dot decides).
        let mut e = i + 1;
        while e < n && e - i < MAX_ADDRESS {
            let c = b[e];
            if c.is_ascii_whitespace() || c == b'.' || c >= 0x80 {
                break;
            }
            e += 1;
        }
        if e >= n || b[e] != b' ' {
            return i + 1;
        }
        let last = b[e - 1];
        if !(last.is_ascii_alphanumeric() || matches!(last, b'/' | b'>')) {
            return i + 1;
        }
        let mut s = i;
        while s > self.start && i - s < MAX_ADDRESS && !b[s - 1].is_ascii_whitespace() {
            s -= 1;
        }
        let token = &b[s..e];
        let token = token.strip_prefix(b"<").unwrap_or(token);
        let address = token.contains(&b'@')
            || token.starts_with(b"www.")
            || token.windows(3).any(|w| w == b"://");
        if !address {
            return i + 1;
        }
        let mut m = e;
        while m < n && matches!(b[m], b' ' | b'\t') {
            m += 1;
        }
        let next = &b[m..];
        let opens = next.first().is_some_and(u8::is_ascii_uppercase)
            || next.starts_with(b"http")
            || next.starts_with(b"www.");
        if opens && self.has_content(e) {
            self.push(e);
            return e;
        }
        i + 1
    }

    /// True when the current sentence holds a letter or digit before byte `upto`; bullets,
    /// quotes and dots alone do not make a sentence.
    ///
    /// The answer is cached per sentence (the first content position, or how far none was
    /// found), so text without words ("! ! ! ! ...") stays linear instead of rescanning.
    fn has_content(&mut self, upto: usize) -> bool {
        if let Some(p) = self.content_at {
            return p < upto;
        }
        let from = self.scanned.max(self.start);
        if upto <= from {
            return false;
        }
        let b = self.b;
        let mut p = from;
        while p < upto {
            let c = b[p];
            if c.is_ascii_alphanumeric() {
                self.content_at = Some(p);
                return true;
            }
            if c >= 0x80 {
                match char_at(self.text, p) {
                    Some(ch) if is_wordy(ch) => {
                        self.content_at = Some(p);
                        return true;
                    }
                    Some(ch) => p += ch.len_utf8(),
                    None => p += 1,
                }
            } else {
                p += 1;
            }
        }
        self.scanned = upto;
        false
    }

    /// Handles a `.`, `!` or `?` at `i` (`len` bytes, more for Unicode terminals); returns
    /// where the scan continues.
    fn terminal(&mut self, i: usize, len: usize) -> usize {
        let b = self.b;
        let n = b.len();
        // Fast path: a dot inside a token ("3.5", "U.S", "example.com") decides nothing.
        if b[i] == b'.'
            && i + 1 < n
            && b[i + 1].is_ascii_alphanumeric()
            && !(b[i + 1].is_ascii_uppercase()
                && i > 0
                && (b[i - 1].is_ascii_lowercase()
                    || b[i - 1].is_ascii_digit()
                    // "at IBM.The firm": an acronym, then a capitalised word.
                    || i > 1
                        && b[i - 1].is_ascii_uppercase()
                        && b[i - 2].is_ascii_uppercase()
                        && b.get(i + 2).is_some_and(u8::is_ascii_lowercase)))
        {
            if b[i + 1].is_ascii_alphabetic() && i > 0 && b[i - 1].is_ascii_alphanumeric() {
                return self.address_end(i);
            }
            return i + 1;
        }

        // The cluster: consecutive terminal marks, including spaced ellipses (". . .").
        let mut j = i;
        let mut dots = 0usize;
        let mut qe = false;
        let mut ellipsis = false;
        let mut cjk = false;
        let mut spaced = false;
        // The first dot touches the word before it ("compounds. . . ."), which matters for
        // where a spaced ellipsis belongs.
        let attached = char_before(self.text, i).is_some_and(|c| !c.is_whitespace());
        loop {
            if j >= n {
                break;
            }
            match b[j] {
                b'.' => {
                    dots += 1;
                    j += 1;
                }
                b'!' | b'?' => {
                    qe = true;
                    j += 1;
                }
                b' ' if dots > 0
                    && j + 1 < n
                    && b[j + 1] == b'.'
                    && b.get(j + 2)
                        .is_none_or(|&c| c == b' ' || c == b'.' || !c.is_ascii()) =>
                {
                    spaced = true;
                    j += 1;
                }
                c if c >= 0x80 => match char_at(self.text, j) {
                    Some(ch) if is_unicode_terminal(ch) => {
                        if ch == '…' {
                            ellipsis = true;
                        } else if is_cjk_terminal(ch) {
                            cjk = true;
                        } else {
                            qe = true;
                        }
                        j += ch.len_utf8();
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        if j == i {
            j = i + len;
        }
        if dots >= 2 {
            ellipsis = true;
        }

        // Closing quotes and brackets belong to the sentence they close.
        let mut k = j;
        let mut quoted = false;
        while k < n {
            // ASCII first: after a terminal the next byte is nearly always a space.
            let c = match b[k] {
                b' ' | b'\n' => break,
                // Markup left in the text: a closing tag belongs to the sentence it closes.
                b'<' if b.get(k + 1) == Some(&b'/') => match tag_len(b, k) {
                    0 => break,
                    len => {
                        k += len;
                        continue;
                    }
                },
                c if c < 0x80 => char::from(c),
                _ => match char_at(self.text, k) {
                    Some(c) => c,
                    None => break,
                },
            };
            if !is_closer(c) {
                break;
            }
            quoted |= matches!(c, '"' | '\'' | '”' | '’' | '»' | '›');
            k += c.len_utf8();
        }
        if !cjk {
            k = self.citation(k);
        }
        if k >= n {
            return n;
        }

        // What follows must be whitespace, except after CJK terminals.
        let Some(after) = char_at(self.text, k) else {
            return n;
        };
        if !after.is_whitespace() {
            let tag = after == '<' && tag_len(b, k) > 0;
            // 「行きます。」と言った: a quotation closed before a particle (hiragana) is
            // part of the sentence that quotes it.
            let quoted_on = cjk && k > j && matches!(after, '\u{3040}'..='\u{309F}');
            if (cjk && !quoted_on || tag || self.missing_space(i, k)) && self.has_content(i) {
                self.push(k);
            }
            return k;
        }
        let mut m = k;
        let mut newlines = 0;
        while m < n {
            let c = match b[m] {
                c @ (b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c) => char::from(c),
                c if c < 0x80 => break,
                _ => match char_at(self.text, m) {
                    Some(c) if c.is_whitespace() => c,
                    _ => break,
                },
            };
            newlines += usize::from(c == '\n' || c == '\u{2029}');
            m += c.len_utf8();
        }
        if m >= n {
            return n;
        }
        if newlines >= 2 {
            // A blank line always ends a sentence, even one of symbols alone (":)", "[...]").
            self.push(k);
            return m;
        }
        if !self.has_content(i) {
            // ". . . The practice": an ellipsis opening a sentence does not end it.
            return m;
        }

        // Ellipsis inside brackets ("[...]") marks an omission, never an ending.
        if ellipsis && char_before(self.text, i).is_some_and(|c| matches!(c, '[' | '(')) {
            return m;
        }

        let next = Next::read(self.text, m);
        // In text laid out one sentence or paragraph per line, terminal punctuation at the
        // end of a line ends the sentence whatever follows (lowercase starts included).
        let line_end = newlines == 1 && !self.wrapped() && !next.cont;
        let split = if cjk {
            !next.lower
        } else if ellipsis {
            if b[i] == b'.' && spaced && attached && dots == 4 && next.opens_sentence() {
                // "compounds. . . . The practice": the first dot ends the sentence and the
                // spaced ellipsis opens the next one.
                self.push(i + 1);
                return m;
            }
            // Four dots are an ellipsis plus a period; three may trail off inside a sentence,
            // and a spaced one before "I" usually does ("the thing is . . . I didn't"),
            // while "What a day... I can't" ends one.
            let spaced_ellipsis =
                spaced || char_before(self.text, i).is_some_and(char::is_whitespace);
            if dots >= 4 {
                // Dot leaders before a page number ("Methods ...... 5") end nothing.
                next.opens_sentence() && !next.digit
            } else {
                next.opens_sentence() && !(spaced_ellipsis && next.is_word(b"I"))
            }
        } else if qe && self.b[i] == b'!' && j == i + 1 && self.word_ends_with(i, b"Yahoo") {
            // The one brand whose name ends in "!" and turns up in news all the time.
            !next.lower && next.starter
        } else if qe || dots == 0 {
            // Web text often starts sentences in lowercase ("where did you grow up? india?");
            // after a quote or bracket a lowercase word is narration ("Why?" she asked).
            line_end || !next.continues() && (!next.lower || qe && k == j)
        } else {
            self.after_period(i, &next, line_end, k > j)
        };
        let split = split && !(quoted && next.upper && !line_end && self.attribution(m));
        if split {
            self.push(k);
        }
        m
    }

    /// Decides whether a single period at `i` ends the sentence, given the next word, whether
    /// a line break follows in one-line-per-sentence text, and whether closers follow it.
    fn after_period(&mut self, i: usize, next: &Next, line_end: bool, closed: bool) -> bool {
        let text = self.text;
        let b = self.b;
        // The word before the period: back to whitespace, then past opening punctuation.
        let mut ws = i;
        while ws > self.start && i - ws < 64 {
            let c = b[ws - 1];
            if c < 0x80 {
                if c.is_ascii_whitespace() {
                    break;
                }
                ws -= 1;
                continue;
            }
            match char_before(text, ws) {
                Some(c) if !c.is_whitespace() => ws -= c.len_utf8(),
                _ => break,
            }
        }
        let mut w = ws;
        while w < i {
            let c = b[w];
            if c.is_ascii_alphanumeric() {
                break;
            }
            if c < 0x80 {
                w += 1;
                continue;
            }
            match char_at(text, w) {
                Some(c) if !is_wordy(c) => w += c.len_utf8(),
                _ => break,
            }
        }
        let word = &b[w..i];
        if word.is_empty() {
            return !next.lower && !next.continues();
        }

        let marker = if b.get(i + 1) == Some(&b')') {
            Marker::DotParen
        } else {
            Marker::Dot
        };
        // A list marker opening a sentence ("1. The first item", "• 9. ...").
        if !self.has_content(w) {
            if let Some((value, letters)) = list_value(word) {
                self.list = Some(List {
                    next: value + 1,
                    letters,
                    marker,
                });
                return false;
            }
        }
        // A list announced by a colon: "Steps: 1. Mix it 2. Bake it".
        if word == b"1" || word == b"a" {
            let colon = self
                .text
                .get(..ws)
                .map(str::trim_end)
                .is_some_and(|h| h.ends_with(':'));
            if colon {
                let letters = word == b"a";
                let next = if letters { u32::from(b'b') } else { 2 };
                self.list = Some(List {
                    next,
                    letters,
                    marker,
                });
                return false;
            }
        }
        // The next marker of an open list ends the item before it ("... item 2. The ...").
        if ws > self.start && !next.continues() {
            if let Some(list) = self
                .list
                .filter(|list| list.marker == marker)
                .and_then(|list| list.item(word))
            {
                self.list = Some(list);
                self.push(ws);
                return false;
            }
        }

        let own = self.language_flags(ws, word);
        let flags = words::flags(word) | own;
        let letters_only = word.iter().all(|c| c.is_ascii_alphabetic());
        let dotted = is_dotted(word);
        if line_end {
            return flags & TITLE == 0;
        }

        if next.lower {
            // A lowercase word or a number before the period is no abbreviation we know, so
            // the period ends a sentence typed in lowercase ("is interested. jill finishes",
            // "call 303-832-8160. they"); a capitalised one may be an unlisted abbreviation
            // ("Div. has") and ends one only before a very common opener. After a closing
            // quote or bracket a lowercase word continues ("great." she said).
            // A short word after a number is a unit ("3 in. thick", "5 ft. tall").
            let unit = letters_only && word.len() <= 3 && self.number_before(ws);
            let plain = word.len() >= 2
                && !unit
                && (letters_only && word[0].is_ascii_lowercase()
                    || word[word.len() - 1].is_ascii_digit());
            return !closed
                && flags & (TITLE | COMMON) == 0
                && !dotted
                && (plain || letters_only && word.len() >= 3 && next.starter);
        }
        if next.continues() {
            return false;
        }
        if flags & TITLE != 0 {
            return false;
        }
        if dotted && (word.eq_ignore_ascii_case(b"a.m") || word.eq_ignore_ascii_case(b"p.m")) {
            if next.digit || next.time_follower {
                return false;
            }
            // "At 5 a.m. Mr. Smith went": a short opening time phrase, not a sentence.
            return self.words_before(ws) > 2 || !next.upper;
        }
        if own & COMMON != 0 {
            // The openers list is English: in another language an abbreviation that may end
            // a sentence ends one before any capitalised word ("etc. Puis").
            return next.upper;
        }
        if flags & COMMON != 0 || dotted {
            // A capitalised word normally written lowercase opens a sentence ("the U.S.
            // Millions attended"); nouns are not in that list, since "U.S." so often modifies
            // one ("U.S. Embassy said"), and a capitalised word after it means a title-cased
            // name ("the U.S. Millions Club").
            return !next.digit
                && (next.starter
                    || next.upper
                        && !self.upper_after(next.word_end)
                        && words::is_lowercase_word(next.word));
        }
        // A short capitalised word before a number is most likely an abbreviation we do not
        // list ("Matt. 4:19", "Sect. 3").
        if next.digit && letters_only && word.len() <= 4 && word[0].is_ascii_uppercase() {
            return word.len() > 1 && word[1..].iter().all(u8::is_ascii_uppercase);
        }
        if word.len() == 1 && letters_only {
            if word[0].is_ascii_lowercase() {
                return !next.digit && next.starter;
            }
            // An initial ("Jonas E. Smith"), also after a lowercase word or a number ("urges
            // S. Korea", "207 (A. Dale 69", "by J. Smith"): only the pronoun ends a sentence
            // there ("you and I. Did you ..."), and any letter before a sentence opener
            // ("vitamin C. It helped").
            // Another initial after it continues the name ("met J. R. R. Tolkien").
            if next.upper && next.word_len == 1 && self.b.get(next.word_end) == Some(&b'.') {
                return false;
            }
            let before = self.word_before(ws);
            let lower_before = before.is_some_and(|c| c.is_lowercase() || c.is_numeric());
            return word == b"I" && lower_before || (next.starter && next.word_len > 1);
        }
        true
    }

    /// Where the sentence ending at `k` really ends: after a citation or omission mark that
    /// follows it ("in Dulwich. [17] Placed", "anyway. [...]"), or a footnote number before
    /// a capitalised word ("rights. 4 Even"); otherwise `k`.
    fn citation(&self, k: usize) -> usize {
        let b = self.b;
        if b.get(k) != Some(&b' ') {
            return k;
        }
        let p = k + 1;
        if b.get(p) == Some(&b'[') {
            // "[17]", "[3, 4]", "[...]", "[…]": short, no letters.
            let inner = b[p + 1..]
                .iter()
                .take(MAX_CITATION)
                .take_while(|&&c| {
                    c != b']'
                        && (c.is_ascii_digit()
                            || matches!(c, b'.' | b',' | b' ' | b'-' | 0x80..=0xFF))
                })
                .count();
            let close = p + 1 + inner;
            if inner > 0 && b.get(close) == Some(&b']') && self.text.is_char_boundary(close) {
                let end = close + 1;
                if b.get(end).is_none_or(u8::is_ascii_whitespace) {
                    return end;
                }
            }
            return k;
        }
        let digits = b[p..]
            .iter()
            .take(3)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if (1..=2).contains(&digits)
            && b.get(p + digits) == Some(&b' ')
            && b.get(p + digits + 1).is_some_and(u8::is_ascii_uppercase)
            && b.get(p + digits + 2).is_some_and(u8::is_ascii_lowercase)
        {
            return p + digits;
        }
        k
    }

    /// True for a sentence end typed without its space ("the deal.The talks"): a lowercase
    /// word of letters before the mark, a capitalised word of letters after it. Domains,
    /// addresses and abbreviations ("example.Com" aside) never look like that.
    fn missing_space(&self, i: usize, k: usize) -> bool {
        let b = self.b;
        let mut w = i;
        let number = i > 0 && b[i - 1].is_ascii_digit();
        if number {
            // "came to 1,000.That is", "cost $4.50.That", "won 3-1.Fans": a number, then
            // the capitalised word; a dot or dash between digits belongs to the number.
            while w > self.start
                && (b[w - 1].is_ascii_digit()
                    || b[w - 1] == b','
                    || matches!(b[w - 1], b'.' | b'-')
                        && w >= self.start + 2
                        && b[w - 2].is_ascii_digit())
            {
                w -= 1;
            }
        } else {
            while w > self.start && b[w - 1].is_ascii_alphabetic() {
                w -= 1;
            }
        }
        // An acronym counts like a lowercase word ("at IBM.The firm"); a single capital
        // does not ("ACME.N" is a ticker).
        let acronym = i - w >= 2 && b[w..i].iter().all(u8::is_ascii_uppercase);
        let before_ok = (number || i - w >= 2 && b[i - 1].is_ascii_lowercase() || acronym)
            && (w == 0 || matches!(b[w - 1], b' ' | b'\t' | b'\n' | b'"' | b'(' | b'\'' | b'$'));
        if !before_ok || words::flags(&b[w..i]) & (TITLE | COMMON) != 0 {
            return false;
        }
        let rest = &b[k..];
        let len = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let tld = matches!(
            rest[..len].to_ascii_lowercase().as_slice(),
            b"com"
                | b"org"
                | b"net"
                | b"edu"
                | b"gov"
                | b"int"
                | b"mil"
                | b"info"
                | b"biz"
                | b"io"
                | b"co"
                | b"uk"
                | b"us"
                | b"de"
                | b"fr"
                | b"ca"
                | b"au"
                | b"jp"
                | b"tv"
        );
        len >= 2
            && !tld
            && rest[0].is_ascii_uppercase()
            && rest[1].is_ascii_lowercase()
            && rest.get(len).is_none_or(|&c| {
                matches!(c, b' ' | b'\t' | b'\n' | b',' | b'\'')
                    // "on Tuesday.Mr. Smith": a title after the missing space.
                    || c == b'.' && words::flags(&rest[..len]) & TITLE != 0
            })
    }

    /// The flags of `word` (which starts at `ws`) in the text's language list, if any; a
    /// spaced abbreviation ("z. B.") is looked up in its dotted form ("z.B").
    fn language_flags(&self, ws: usize, word: &[u8]) -> u8 {
        let Some(index) = self.language else {
            return 0;
        };
        let own = words::flags_in(index, word);
        if own != 0 || word.len() > 3 {
            return own;
        }
        // "z. B.": the part before is a short word with its period, then one space.
        let head = &self.b[self.start..ws];
        let Some(head) = head.strip_suffix(b". ") else {
            return 0;
        };
        let part = head
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if part == 0 || part > 3 || part + 1 + word.len() > 8 {
            return 0;
        }
        let mut joined = [0u8; 8];
        let from = head.len() - part;
        joined[..part].copy_from_slice(&head[from..]);
        joined[part] = b'.';
        joined[part + 1..part + 1 + word.len()].copy_from_slice(word);
        words::flags_in(index, &joined[..part + 1 + word.len()])
    }

    /// True when the word after the token ending near `end` starts with a capital.
    fn upper_after(&self, end: usize) -> bool {
        let b = self.b;
        let mut p = end;
        while p < b.len() && !b[p].is_ascii_whitespace() {
            p += 1;
        }
        while p < b.len() && b[p].is_ascii_whitespace() {
            p += 1;
        }
        char_at(self.text, p).is_some_and(char::is_uppercase)
    }

    /// True when the word before byte `ws` (a word start) is a number.
    fn number_before(&self, ws: usize) -> bool {
        let head = self.b[self.start..ws].trim_ascii_end();
        head.last().is_some_and(u8::is_ascii_digit)
    }

    /// True when the text just before `i` is the word `w` (whole word, ASCII case-insensitive).
    fn word_ends_with(&self, i: usize, w: &[u8]) -> bool {
        i >= w.len()
            && self.b[i - w.len()..i].eq_ignore_ascii_case(w)
            && (i == w.len() || !self.b[i - w.len() - 1].is_ascii_alphanumeric())
    }

    /// Counts the words of the current sentence before byte `upto` (stops counting at 3).
    fn words_before(&self, upto: usize) -> usize {
        let head = self.text.get(self.start..upto).unwrap_or("");
        head.split_whitespace().take(3).count()
    }

    /// The first char of the word that ends before byte `ws` (skipping whitespace).
    fn word_before(&self, ws: usize) -> Option<char> {
        let head = self.text.get(self.start..ws)?.trim_end();
        let start = head
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(p, c)| p + c.len_utf8());
        head.get(start..)?.chars().find(|c| is_wordy(*c))
    }

    /// True when the words at `m` are a quote attribution: a name or pronoun and a verb of
    /// saying ("Blinken said", "Mr. Smith told", "she said.").
    fn attribution(&self, m: usize) -> bool {
        let rest = self.text.get(m..).unwrap_or("");
        let mut capitalised = 0;
        for (n, word) in rest.split_whitespace().take(5).enumerate() {
            let core = word.trim_end_matches(|c: char| !c.is_alphanumeric());
            let flags = words::flags(core.as_bytes());
            if n > 0 && flags & SPEECH != 0 && core.starts_with(|c: char| c.is_lowercase()) {
                if capitalised > 0 && n == capitalised {
                    // A pronoun subject is an attribution only when the clause ends there
                    // ("He said." / "he said,"), not in "He said the plan failed."
                    let pronoun = n == 1 && is_pronoun(rest.split_whitespace().next());
                    return !pronoun || word[core.len()..].starts_with([',', '.']);
                }
                return false;
            }
            if core.starts_with(|c: char| c.is_uppercase()) {
                capitalised += 1;
            } else {
                return false;
            }
        }
        false
    }

    /// Handles a newline at `i`: paragraph breaks, and single line breaks after lines that
    /// have no terminal punctuation (headlines, datelines, lists, wrapped copy).
    fn newline(&mut self, i: usize) -> usize {
        let text = self.text;
        let b = self.b;
        let n = b.len();
        // Skip the whitespace after the break, counting further newlines.
        let mut m = i + 1;
        let mut newlines = 1;
        let mut indent = 0;
        while m < n {
            let c = match b[m] {
                c @ (b' ' | b'\t' | b'\r' | b'\n') => char::from(c),
                c if c < 0x80 => break,
                _ => match char_at(text, m) {
                    Some(c) if c.is_whitespace() => c,
                    _ => break,
                },
            };
            if c == '\n' {
                newlines += 1;
                indent = 0;
            } else {
                indent += if c == '\t' { 4 } else { 1 };
            }
            m += c.len_utf8();
        }
        // Wrapped copy breaks before lowercase words most of the time: the cheapest exit.
        if newlines == 1 && b.get(m).is_some_and(u8::is_ascii_lowercase) {
            return m;
        }
        if m >= n {
            return n;
        }
        if newlines >= 2 {
            // A paragraph of symbols alone (":)", "_____") is still its own paragraph.
            self.push(i);
            return m;
        }
        if !self.has_content(i) {
            return m;
        }
        // The last character of the line.
        let line_end = text[..i].trim_end();
        let Some(last) = line_end.chars().next_back() else {
            return m;
        };
        let Some(next) = char_at(text, m) else {
            return n;
        };
        if next.is_lowercase() || matches!(next, ',' | ';' | ')' | ']' | '}' | '%') {
            return m;
        }
        let list_next = is_bullet(next) || matches!(next, '-' | '*' | '–' | '—') || {
            let digits = b[m..].iter().take_while(|c| c.is_ascii_digit()).count();
            let after = b.get(m + digits + 1).copied().unwrap_or(b' ');
            digits > 0
                && digits <= 3
                && (b.get(m + digits) == Some(&b')')
                    || b.get(m + digits) == Some(&b'.') && after.is_ascii_whitespace())
        };
        // Lines ending in a joiner continue on the next line: "Bosnian-\nSerb", "GENEVA
        // (Reuters) -\nThe ...", "He said:\n...".
        let joiner = matches!(
            last,
            ',' | ';' | '&' | '(' | '[' | '/' | '-' | '–' | '—' | ':'
        );
        if joiner && !(last == ':' && list_next) {
            return m;
        }
        let wrapped = self.wrapped();
        let split = if wrapped {
            // Wire copy wraps at a width and marks paragraphs by indenting.
            indent >= PARAGRAPH_INDENT || list_next
        } else {
            // A headline does not end in "the" or "of"; a line that does was cut short.
            let last_word = line_end
                .rsplit(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or("");
            let dangling = is_function_word(last_word);
            !dangling
        };
        if split {
            self.push(i);
        }
        m
    }

    /// Whether the text is hard-wrapped, measured once per text on first need.
    fn wrapped(&mut self) -> bool {
        match self.wrapped {
            Some(w) => w,
            None => {
                let w = is_wrapped(self.b);
                self.wrapped = Some(w);
                w
            }
        }
    }

    /// Handles `)` at `i`: list items marked "1)" or "a)".
    fn paren(&mut self, i: usize) -> usize {
        let b = self.b;
        // An emoticon ends a sentence in web text: "Will go back :) The food was ok."
        if i > 0 && matches!(b[i - 1], b':' | b';' | b'-') && b.get(i + 1) == Some(&b' ') {
            let smiley = b[i - 1] != b'-' || (i > 1 && matches!(b[i - 2], b':' | b';'));
            if smiley && self.has_content(i) {
                let next = Next::read(self.text, i + 2);
                if next.upper && (next.starter || next.word_len > 1) {
                    self.push(i + 1);
                }
            }
            return i + 1;
        }
        let mut w = i;
        while w > self.start && b[w - 1].is_ascii_alphanumeric() && i - w < 4 {
            w -= 1;
        }
        let word = &b[w..i];
        let spaced_after = b.get(i + 1).is_some_and(|c| *c == b' ' || *c == b'\t');
        let spaced_before = w == 0 || !b[w - 1].is_ascii_alphanumeric() && b[w - 1] != b'(';
        let value = list_value(word);
        if value.is_none() && roman_value(word).is_none() {
            return i + 1;
        }
        if !spaced_after || !spaced_before || w > 0 && b[w - 1] == b'.' {
            return i + 1;
        }
        let item = self
            .list
            .filter(|list| list.marker == Marker::Paren)
            .and_then(|list| list.item(word));
        if !self.has_content(w) {
            if let Some((value, letters)) = value {
                self.list = Some(List {
                    next: value + 1,
                    letters,
                    marker: Marker::Paren,
                });
            }
        } else if let Some(list) = item {
            self.list = Some(list);
            self.push(w);
        } else if let Some((1, false)) = value {
            // "four nights 1) which island 2) where": a numbered list opened mid-sentence.
            self.list = Some(List {
                next: 2,
                letters: false,
                marker: Marker::Paren,
            });
            self.push(w);
        }
        i + 1
    }

    /// Handles `/` at `i`: the date and time of an e-mail header ("Kay Mann 04/26/2001
    /// 07:17 AM Will you ...") is a sentence of its own. A date without a time is text.
    fn slash(&mut self, i: usize) -> usize {
        let b = self.b;
        let digits = |p: usize| {
            b.get(p..).map_or(0, |r| {
                r.iter().take(5).take_while(|c| c.is_ascii_digit()).count()
            })
        };
        // Only the first slash of a date: one or two digits after whitespace.
        let mut from = i;
        while from > 0 && i - from < 3 && b[from - 1].is_ascii_digit() {
            from -= 1;
        }
        let month = i - from;
        if !(1..=2).contains(&month) || from > 0 && !b[from - 1].is_ascii_whitespace() {
            return i + 1;
        }
        let day = digits(i + 1);
        if !(1..=2).contains(&day) || b.get(i + 1 + day) != Some(&b'/') {
            return i + 1;
        }
        let p = i + day + 2;
        let year = digits(p);
        if year != 2 && year != 4 {
            return i + 1;
        }
        let p = p + year;
        let q = p + 1;
        let hour = digits(q);
        if b.get(p) != Some(&b' ')
            || !(1..=2).contains(&hour)
            || b.get(q + hour) != Some(&b':')
            || digits(q + hour + 1) != 2
        {
            return i + 1;
        }
        let mut end = q + hour + 3;
        if b.get(end) == Some(&b':') && digits(end + 1) == 2 {
            end += 3;
        }
        let meridiem = b
            .get(end..end + 3)
            .is_some_and(|w| matches!(w, b" AM" | b" PM" | b" am" | b" pm"));
        if meridiem && b.get(end + 3).is_none_or(|c| !c.is_ascii_alphanumeric()) {
            end += 3;
        }
        // "... sent on 08/16/2000 03:14 PM" leads into the date; a name before it does not.
        let led_in = self.word_before(from).is_some_and(char::is_lowercase);
        if !led_in && self.has_content(from) {
            self.push(from);
        }
        let mut m = end;
        while m < b.len() && matches!(b[m], b' ' | b'\t') {
            m += 1;
        }
        let continues = b
            .get(m)
            .is_none_or(|c| matches!(c, b',' | b';' | b'.' | b')' | b'\n' | b'\r'));
        if m > end && !continues {
            self.push(end);
        }
        end
    }

    /// Handles a multi-byte character at `i` that may be terminal punctuation or a bullet.
    fn high(&mut self, i: usize) -> usize {
        let Some(c) = char_at(self.text, i) else {
            return i + 1;
        };
        let len = c.len_utf8();
        if is_unicode_terminal(c) {
            return self.terminal(i, len);
        }
        if is_bullet(c) {
            let after_space = char_before(self.text, i).is_none_or(char::is_whitespace);
            if after_space && self.has_content(i) {
                self.push(i);
            }
        }
        i + len
    }
}

/// What follows a candidate boundary: enough about the next word to decide.
#[derive(Debug, Default)]
struct Next<'t> {
    /// The next word's letters (after any opening quote or bracket).
    word: &'t [u8],
    /// `word.len()` in bytes.
    word_len: usize,
    /// Where the word ends in the text.
    word_end: usize,
    /// The first character is a lowercase letter.
    lower: bool,
    /// The first word character is uppercase.
    upper: bool,
    /// The first word character is a digit.
    digit: bool,
    /// The next character opens a quote or bracket.
    opener_first: bool,
    /// The next character is punctuation that continues a sentence (`,`, `;`, `%` ...).
    cont: bool,
    /// The word is a typical sentence opener.
    starter: bool,
    /// The word follows clock times ("Friday", "EST").
    time_follower: bool,
}

impl<'t> Next<'t> {
    /// Reads the word at `m` (a non-whitespace position).
    fn read(text: &'t str, m: usize) -> Self {
        let mut next = Next::default();
        let Some(first) = char_at(text, m) else {
            return next;
        };
        let b = text.as_bytes();
        // A web address opens a sentence although it is written in lowercase.
        let address = matches!(first, 'h' | 'w')
            && (b[m..].starts_with(b"http") || b[m..].starts_with(b"www."));
        next.lower = first.is_lowercase() && !address;
        // A dash continues ("... 5 p.m. - the time"), but a dash glued to a name is a
        // sign-off ("Thanks. -John").
        let glued_dash = first == '-' && b.get(m + 1).is_some_and(u8::is_ascii_alphabetic);
        // So is a separator before a signature ("... years. -- Posted by").
        let separator = first == '-' && b.get(m + 1) == Some(&b'-') && {
            let run = b[m..].iter().take_while(|&&c| c == b'-').count();
            b.get(m + run).is_none_or(u8::is_ascii_whitespace)
        };
        next.cont = matches!(first, ',' | ';' | ':' | ')' | ']' | '}' | '%' | '-' | '&')
            && !glued_dash
            && !separator;
        next.opener_first = is_opener(first);
        let mut p = m;
        if next.opener_first {
            p += first.len_utf8();
        }
        let end = p + b[p..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        next.word = &b[p..end];
        next.word_len = end - p;
        next.word_end = end;
        if let Some(c) = char_at(text, p) {
            next.upper = c.is_uppercase() || (!c.is_lowercase() && c.is_alphabetic());
            next.digit = c.is_numeric();
            if next.opener_first {
                next.lower = c.is_lowercase();
            }
        }
        let flags = words::flags(next.word);
        // Case is checked by the caller: "The" after "Inc." opens a sentence, "the" after an
        // ordinary word ends one only in careless lowercase text.
        next.starter = flags & STARTER != 0;
        next.time_follower = flags & TIME_FOLLOWER != 0;
        next
    }

    /// The next word may open a sentence: not lowercase, not continuing punctuation.
    fn opens_sentence(&self) -> bool {
        !self.lower && !self.cont
    }

    /// Punctuation that cannot start a sentence.
    fn continues(&self) -> bool {
        self.cont
    }

    /// The next word is exactly `w`.
    fn is_word(&self, w: &[u8]) -> bool {
        self.word == w
    }
}

/// Lowercase function words that cannot end a headline or a complete line: a line ending
/// in one was cut mid-sentence ("... rose sharply in\nEarly trading"). The list is
/// `data/abbreviations/function_words.txt`; only lowercase text matches.
fn is_function_word(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_lowercase()) && words::is_function_word(word.as_bytes())
}

/// Personal pronouns that can be the subject of an attribution.
fn is_pronoun(word: Option<&str>) -> bool {
    matches!(word, Some("He" | "She" | "They" | "We" | "I" | "It"))
}

/// A letters-and-periods abbreviation such as "U.S", "e.g", "a.m", "Ph.D" (without the
/// final period): letters in short groups joined by single periods.
pub(crate) fn is_dotted(word: &[u8]) -> bool {
    if !word.contains(&b'.') {
        return false;
    }
    word.split(|&c| c == b'.')
        .all(|part| !part.is_empty() && part.len() <= 2 && part.iter().all(u8::is_ascii_alphabetic))
}

/// The value of a list marker word: a number up to three digits, or one ASCII letter.
fn list_value(word: &[u8]) -> Option<(u32, bool)> {
    match word {
        [c] if c.is_ascii_alphabetic() => Some((u32::from(c.to_ascii_lowercase()), true)),
        _ if !word.is_empty() && word.len() <= 3 && word.iter().all(u8::is_ascii_digit) => {
            let value = word.iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
            Some((value, false))
        }
        _ => None,
    }
}

/// How far a web or e-mail address is looked at around one of its dots.
const MAX_ADDRESS: usize = 200;

/// The length of the HTML tag at `p` (`<p>`, `</p>`, `<br/>`, `<a href="x">`), or 0.
fn tag_len(b: &[u8], p: usize) -> usize {
    let mut q = p + 1;
    if b.get(q) == Some(&b'/') {
        q += 1;
    }
    let name = b[q.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if name == 0 || !b[q].is_ascii_alphabetic() {
        return 0;
    }
    q += name;
    while q < b.len() && q - p < MAX_TAG {
        match b[q] {
            b'>' => return q + 1 - p,
            b'<' | b'\n' => return 0,
            _ => q += 1,
        }
    }
    0
}

/// The longest HTML tag worth recognising.
const MAX_TAG: usize = 100;

/// The longest citation inside brackets worth looking at ("[12, 14-16]").
const MAX_CITATION: usize = 12;

/// How many line breaks `is_wrapped` looks at.
const WRAP_SAMPLE_LINES: usize = 10;

/// How far (in columns, a tab counting 4) hard-wrapped copy indents the first line of a
/// paragraph: Reuters indents by 4, and a wrapped line is never indented at all.
pub(crate) const PARAGRAPH_INDENT: usize = 2;

/// Whether the line break at byte `newline` of hard-wrapped text ends a paragraph: a blank
/// line or an indented line follows it (or the text ends). Other breaks are spaces.
pub(crate) fn starts_paragraph(b: &[u8], newline: usize) -> bool {
    let mut indent = 0;
    for &c in b.get(newline + 1..).unwrap_or_default() {
        match c {
            b' ' => indent += 1,
            b'\t' => indent += 4,
            b'\r' => {}
            b'\n' => return true,
            _ => return indent >= PARAGRAPH_INDENT,
        }
    }
    true
}

/// Whether `b` is hard-wrapped: many single line breaks fall mid-sentence (before a
/// lowercase word, or after a long line without terminal punctuation).
pub(crate) fn is_wrapped(b: &[u8]) -> bool {
    let mut breaks = 0usize;
    let mut soft = 0usize;
    let mut long = 0usize;
    let mut line_start = 0usize;
    let mut from = 0usize;
    while let Some(i) = find_newline(b, from) {
        from = i + 1;
        // A text keeps one layout throughout; its first lines tell which, and looking no
        // further keeps this linear in the article size.
        if breaks >= WRAP_SAMPLE_LINES {
            break;
        }
        let line = &b[line_start..i];
        line_start = i + 1;
        let last = line.iter().rev().find(|c| !c.is_ascii_whitespace());
        let next = b[i + 1..]
            .iter()
            .find(|c| **c != b' ' && **c != b'\t' && **c != b'\r');
        match (last, next) {
            (Some(_), Some(b'\n')) | (None, _) | (_, None) => {}
            (Some(l), Some(n)) => {
                breaks += 1;
                let open = l.is_ascii_alphanumeric() || *l == b',';
                if open && n.is_ascii_lowercase() {
                    soft += 1;
                }
                if open && line.len() >= 50 {
                    long += 1;
                }
            }
        }
    }
    (soft >= 2 && soft * 4 >= breaks) || (long >= 2 && long * 2 >= breaks)
}

/// Emits `text[start..end]` trimmed of whitespace, unless nothing remains.
fn push_trimmed(text: &str, start: usize, end: usize, out: &mut dyn FnMut(Span)) {
    let Some(piece) = text.get(start..end) else {
        return;
    };
    let trimmed = piece.trim_start();
    let s = start + (piece.len() - trimmed.len());
    let trimmed = trimmed.trim_end();
    if !trimmed.is_empty() {
        out(Span::new(s, s + trimmed.len()));
    }
}
