//! Tokens in the CoNLL-2003 / Penn Treebank style the tagger was trained on.
//!
//! Words, numbers ("1,000.50", "3.5", "1/2", "10:30") and hyphenated words
//! ("Bosnian-Serb", "U.S.-based") stay whole; punctuation is split off; clitics are split
//! the PTB way ("do" "n't", "it" "'s", "Russia" "'s"); abbreviations keep their period
//! ("U.S.", "Inc.", "Mr.") while a sentence-final period after an ordinary word is a token
//! of its own; URLs and e-mail addresses are one token. Every non-whitespace character of
//! the span ends up in exactly one token.

use article::{Span, Token};

use crate::sentences::is_dotted;
use crate::words::{self, COMMON, TITLE};

/// Appends the tokens of `text[span]` to `out`.
pub(crate) fn tokenize(text: &str, span: Span, out: &mut Vec<Token>) {
    let b = text.as_bytes();
    let end = span.end.min(b.len());
    let Some(_) = text.get(span.start..end) else {
        return;
    };
    let mut t = Tokenizer {
        text,
        b,
        end,
        first: out.len(),
        out,
    };
    // Bounded to the span so the compiler can drop bounds checks in the byte loops.
    let bytes = &b[..end];
    let mut i = span.start;
    while let Some(&c) = bytes.get(i) {
        match BYTE_CLASS[c as usize] {
            SPACE => {
                i += 1;
                continue;
            }
            WORD => {
                // Fast path for the common word: letters and digits up to a space or a
                // plain punctuation mark, which can be no URL, number, clitic or
                // abbreviation (those stop at `.`, `'`, `-`, `:`, `,` after a digit ...).
                let j = word_end(bytes, i + 1);
                let stop = bytes.get(j).copied().unwrap_or(b' ');
                if PLAIN_STOP[stop as usize] && !(stop == b',' && bytes[j - 1].is_ascii_digit()) {
                    t.out.push(Token {
                        span: Span::new(i, j),
                    });
                    i = j;
                } else {
                    i = t.word(i);
                }
                continue;
            }
            PUNCT => {
                i = t.punct(i);
                continue;
            }
            _ => {}
        }
        let Some(ch) = char_at(text, i) else { break };
        let len = ch.len_utf8();
        if ch.is_whitespace() {
            i += len;
        } else if is_unspaced(ch) {
            // Chinese and Japanese write no spaces: a character is the only safe token.
            t.push(i, i + len);
            i += len;
        } else if ch.is_alphanumeric() {
            i = t.word(i);
        } else if ch == '’' && t.clitic_at(i, len).is_some() {
            i = t.clitic_token(i, len);
        } else {
            t.push(i, i + len);
            i += len;
        }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each lane of `v` (all lanes below 0x80) that lies in `lo..=hi`.
#[inline(always)]
fn in_range(v: u64, lo: u8, hi: u8) -> u64 {
    let ge_lo = v + LO * u64::from(0x80 - lo);
    let gt_hi = v + LO * u64::from(0x7F - hi);
    ge_lo & !gt_hi & HI
}

/// The end of the run of ASCII letters and digits starting at `j`. Eight bytes at a time:
/// most words end inside the first step, so the loop branch is predictable where a
/// byte-by-byte loop mispredicts once per word.
#[inline]
fn word_end(bytes: &[u8], mut j: usize) -> usize {
    while let Some(chunk) = bytes.get(j..j + 8) {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(chunk);
        let w = u64::from_le_bytes(lanes);
        let ascii = w & !HI;
        let letter = in_range(ascii | (LO * 0x20), b'a', b'z') & in_range(ascii, b'A', b'z');
        let word = (letter | in_range(ascii, b'0', b'9')) & !(w & HI);
        let stop = !word & HI;
        if stop != 0 {
            return j + (stop.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while bytes
        .get(j)
        .is_some_and(|&d| BYTE_CLASS[d as usize] == WORD)
    {
        j += 1;
    }
    j
}

/// Byte classes for the tokenizer's main loop: one table lookup per byte.
const SPACE: u8 = 0;
const WORD: u8 = 1;
const PUNCT: u8 = 2;
const HIGH: u8 = 3;

static BYTE_CLASS: [u8; 256] = {
    let mut t = [HIGH; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_alphanumeric() {
            WORD
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            SPACE
        } else {
            PUNCT
        };
        c += 1;
    }
    t
};

/// ASCII letters and digits, as a table: the word loop's only test for most bytes.
static ALNUM: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    t
};

/// Bytes that end a word without any further decision (see the fast path in `tokenize`).
static PLAIN_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let stops = b" \t\n\r,;()\"!?[]{}<>*|";
    let mut k = 0;
    while k < stops.len() {
        t[stops[k] as usize] = true;
        k += 1;
    }
    t
};

/// Decodes the char at byte `i`.
#[inline]
fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|rest| rest.chars().next())
}

/// Characters that continue a word: letters, digits, and combining marks or joiners that
/// belong to the letter before them.
#[inline]
/// Han ideographs and Japanese kana: scripts written without spaces, one token each.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x2FA1F)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c as u32,
            0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
            | 0xFE20..=0xFE2F | 0xFE00..=0xFE0F | 0x200C | 0x200D)
}

/// Trailing characters that are punctuation after a URL or address, not part of it.
#[inline]
fn is_link_trailer(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | ')' | ']' | '}' | '>' | '”' | '’'
    )
}

/// PTB clitics that split off after an apostrophe: 's 're 'll 've 'm 'd.
fn is_clitic(letters: &[u8]) -> bool {
    matches!(letters.len(), 1 | 2)
        && matches!(
            letters.to_ascii_lowercase().as_slice(),
            b"s" | b"re" | b"ll" | b"ve" | b"m" | b"d"
        )
}

/// The state of tokenizing one sentence.
struct Tokenizer<'t, 'o> {
    /// The whole text; spans index into it.
    text: &'t str,
    /// `text` as bytes.
    b: &'t [u8],
    /// End of the span being tokenized.
    end: usize,
    /// Index in `out` of this sentence's first token.
    first: usize,
    /// Where tokens go.
    out: &'o mut Vec<Token>,
}

impl Tokenizer<'_, '_> {
    #[inline]
    fn push(&mut self, start: usize, end: usize) {
        if start < end {
            self.out.push(Token {
                span: Span::new(start, end),
            });
        }
    }

    /// The byte at `i`, or 0 past the span.
    #[inline]
    fn at(&self, i: usize) -> u8 {
        if i < self.end {
            self.b[i]
        } else {
            0
        }
    }

    /// True when the char at `i` (inside the span) continues a word.
    #[inline]
    fn word_char_at(&self, i: usize) -> bool {
        let c = self.at(i);
        if c < 0x80 {
            c.is_ascii_alphanumeric()
        } else {
            i < self.end && char_at(self.text, i).is_some_and(is_word_char)
        }
    }

    /// If an apostrophe of `len` bytes at `j` starts a clitic ('s, 're, ...) that ends the
    /// word, the clitic's end.
    fn clitic_at(&self, j: usize, len: usize) -> Option<usize> {
        let after = j + len;
        let mut e = after;
        while e < self.end && self.b[e].is_ascii_alphabetic() && e - after < 3 {
            e += 1;
        }
        let preceded = j > 0 && !matches!(self.b[j - 1], b' ' | b'\t' | b'\n' | b'\r');
        (preceded && is_clitic(&self.b[after..e]) && !self.word_char_at(e)).then_some(e)
    }

    /// Emits a clitic token starting with the apostrophe at `i`; returns its end.
    fn clitic_token(&mut self, i: usize, len: usize) -> usize {
        let e = self.clitic_at(i, len).unwrap_or(i + len);
        self.push(i, e);
        e
    }

    /// If `b[start..]` up to whitespace is a URL or e-mail address, its end (without
    /// trailing punctuation).
    fn link_end(&self, start: usize) -> Option<usize> {
        let b = self.b;
        let mut e = start;
        while e < self.end && !b[e].is_ascii_whitespace() {
            if b[e] >= 0x80 && char_at(self.text, e).is_some_and(char::is_whitespace) {
                break;
            }
            e += 1;
        }
        // `e` stops on ASCII whitespace, a whitespace char's first byte, or the span end:
        // all char boundaries.
        let chunk = &b[start..e];
        let lower_starts =
            |p: &[u8]| chunk.len() > p.len() && chunk[..p.len()].eq_ignore_ascii_case(p);
        let scheme = chunk
            .windows(3)
            .position(|w| w == b"://")
            .is_some_and(|p| p > 0 && chunk[..p].iter().all(u8::is_ascii_alphabetic));
        let www = lower_starts(b"www.");
        let email = chunk.iter().position(|&c| c == b'@').is_some_and(|at| {
            at > 0
                && chunk[at + 1..]
                    .iter()
                    .position(|&c| c == b'.')
                    .is_some_and(|d| {
                        chunk
                            .get(at + 1 + d + 1)
                            .is_some_and(u8::is_ascii_alphanumeric)
                            && d > 0
                    })
        });
        if !(scheme || www || email) {
            return None;
        }
        let mut stop = e;
        while stop > start {
            let Some(c) = self
                .text
                .get(start..stop)
                .and_then(|s| s.chars().next_back())
            else {
                break;
            };
            if !is_link_trailer(c) {
                break;
            }
            stop -= c.len_utf8();
        }
        (stop > start).then_some(stop)
    }

    /// Tokenizes the word starting at `start`; returns where it ends.
    fn word(&mut self, start: usize) -> usize {
        let b = self.b;
        // Only words that start like a URL pay for the check.
        let head = &b[start..self.end.min(start + 6)];
        let prefix = |p: &[u8]| head.len() >= p.len() && head[..p.len()].eq_ignore_ascii_case(p);
        if matches!(b[start] | 0x20, b'h' | b'w' | b'f')
            && (prefix(b"http") || prefix(b"www.") || prefix(b"ftp:") || prefix(b"ftps:"))
        {
            if let Some(e) = self.link_end(start) {
                self.push(start, e);
                return e;
            }
        }
        let mut j = start;
        while j < self.end {
            // Letters and digits are nearly every byte of a word: run through them first.
            while j < self.end && ALNUM[b[j] as usize] {
                j += 1;
            }
            if j >= self.end {
                break;
            }
            let c = b[j];
            if c >= 0x80 {
                let Some(ch) = char_at(self.text, j) else {
                    break;
                };
                if is_word_char(ch) && !is_unspaced(ch) {
                    j += ch.len_utf8();
                    continue;
                }
                if ch == '’' {
                    match self.apostrophe(start, j, 3) {
                        Ok(next) => {
                            j = next;
                            continue;
                        }
                        Err(done) => return done,
                    }
                }
                break;
            }
            let prev = b[j - 1];
            let next = self.at(j + 1);
            match c {
                // Inside "3.5", "U.S", "example.com"; "U.S.-based" and "Ill.-based" too.
                b'.' if next.is_ascii_alphanumeric() => j += 1,
                b'.' if next == b'-'
                    && self.word_char_at(j + 2)
                    && (is_dotted(&b[start..j])
                        || words::flags(&b[start..j]) & (TITLE | COMMON) != 0) =>
                {
                    j += 2
                }
                // Thousands separators: "1,000".
                b',' if prev.is_ascii_digit()
                    && next.is_ascii_digit()
                    && self.at(j + 2).is_ascii_digit()
                    && self.at(j + 3).is_ascii_digit()
                    && !self.at(j + 4).is_ascii_digit() =>
                {
                    j += 1
                }
                b'-' if self.word_char_at(j + 1) => j += 1,
                b'&' if prev.is_ascii_uppercase() && next.is_ascii_uppercase() => j += 1,
                b'/' | b':' if prev.is_ascii_digit() && next.is_ascii_digit() => j += 1,
                b'@' | b':' | b'/' | b'_' | b'+' | b'%' => {
                    if let Some(e) = self.link_end(start) {
                        self.push(start, e);
                        return e;
                    }
                    break;
                }
                b'\'' => match self.apostrophe(start, j, 1) {
                    Ok(next) => j = next,
                    Err(done) => return done,
                },
                _ => break,
            }
        }
        // A period directly after the word: part of it for abbreviations, initials and
        // list numbers; its own token otherwise.
        if self.at(j) == b'.' && self.at(j + 1) != b'.' && self.keeps_period(start, j) {
            j += 1;
        }
        self.push(start, j);
        j
    }

    /// An apostrophe of `len` bytes at `j` inside the word from `start`: `Ok(next)` to keep
    /// scanning the word ("O'Brien"), or `Err(end)` after emitting the word and its clitic.
    fn apostrophe(&mut self, start: usize, j: usize, len: usize) -> Result<usize, usize> {
        let b = self.b;
        let after = j + len;
        // "n't": the n leaves the word ("do" "n't", "ca" "n't").
        if matches!(self.at(after), b't' | b'T')
            && !self.word_char_at(after + 1)
            && j > start
            && matches!(b[j - 1], b'n' | b'N')
        {
            self.push(start, j - 1);
            self.push(j - 1, after + 1);
            return Err(after + 1);
        }
        if let Some(e) = self.clitic_at(j, len) {
            self.push(start, j);
            self.push(j, e);
            return Err(e);
        }
        if self.word_char_at(after) {
            return Ok(after);
        }
        // A trailing apostrophe ("players'") is a token of its own.
        self.push(start, j);
        Err(j)
    }

    /// Whether the period at `dot` belongs to the word `b[start..dot]`.
    fn keeps_period(&self, start: usize, dot: usize) -> bool {
        let word = &self.b[start..dot];
        if is_dotted(word) {
            return true;
        }
        if word.len() == 1 && word[0].is_ascii_alphabetic() {
            // An initial keeps its period, but the pronoun ending a sentence ("you and I.")
            // does not.
            let last = self.b[dot + 1..self.end]
                .iter()
                .all(|c| matches!(c, b'"' | b'\'' | b')' | b']' | b' ' | b'\n'));
            return !(word == b"I" && last);
        }
        if words::flags(word) & (TITLE | COMMON) != 0 {
            return true;
        }
        // A list number opening the sentence ("1. The first item"), as CoNLL writes it.
        let first = self.out.len() == self.first
            || self.out[self.first..].iter().all(|t| {
                self.text
                    .get(t.span.range())
                    .is_some_and(|s| !s.chars().any(char::is_alphanumeric))
            });
        first
            && word.len() <= 3
            && word.iter().all(u8::is_ascii_digit)
            && matches!(self.at(dot + 1), b' ' | b'\t' | b')' | 0)
            && dot + 1 < self.end
    }

    /// Tokenizes punctuation or a symbol at `i`; returns where it ends.
    fn punct(&mut self, i: usize) -> usize {
        let b = self.b;
        let c = b[i];
        match c {
            // Runs are one token: "...", "--", "?!", "``".
            b'.' | b'-' | b'`' | b'!' | b'?' => {
                let same = |x: u8| {
                    if c == b'!' || c == b'?' {
                        x == b'!' || x == b'?'
                    } else {
                        x == c
                    }
                };
                let mut e = i + 1;
                while e < self.end && same(b[e]) {
                    e += 1;
                }
                self.push(i, e);
                e
            }
            b'\'' if self.clitic_at(i, 1).is_some() => self.clitic_token(i, 1),
            // Handles and hashtags.
            b'@' | b'#' if self.at(i + 1).is_ascii_alphanumeric() => {
                let mut e = i + 1;
                while e < self.end && (b[e].is_ascii_alphanumeric() || b[e] == b'_') {
                    e += 1;
                }
                self.push(i, e);
                e
            }
            _ => {
                self.push(i, i + 1);
                i + 1
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-lane word scan agrees with the byte table for every byte at every lane.
    #[test]
    fn word_end_matches_the_byte_table() {
        for byte in 0..=255u8 {
            for lane in 0..10 {
                let mut bytes = vec![b'a'; 12];
                bytes[lane] = byte;
                let scalar = bytes
                    .iter()
                    .take_while(|&&d| BYTE_CLASS[d as usize] == WORD)
                    .count();
                assert_eq!(word_end(&bytes, 0), scalar, "byte {byte:#x} at lane {lane}");
            }
        }
    }
}
