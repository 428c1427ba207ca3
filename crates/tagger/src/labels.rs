//! The tag set the model decodes over (BILOU) and conversions to and from entity spans and
//! the IOB1/IOB2 tags of CoNLL files.
//!
//! BILOU rather than BIO because a single-token entity and the last token of a longer one
//! look different ("Clinton" vs "Bill Clinton"), and giving the model that distinction is
//! worth a fraction of a point on CoNLL for free at decode time.

use std::ops::Range;

/// The four CoNLL entity types the model predicts, in label order.
pub const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];
/// Number of model labels: `O` plus B, I, L, U for each type.
pub(crate) const NL: usize = 1 + 4 * TYPES.len();

/// Position of a token inside an entity.
const B: usize = 0;
const I: usize = 1;
const L: usize = 2;
const U: usize = 3;

/// The label index for type `t` at position `p` (B/I/L/U).
const fn label(t: usize, p: usize) -> usize {
    1 + 4 * t + p
}

/// Type and position of a label, `None` for `O`.
pub(crate) const fn parts(l: usize) -> Option<(usize, usize)> {
    if l == 0 {
        None
    } else {
        Some(((l - 1) / 4, (l - 1) % 4))
    }
}

/// Type index of a CoNLL type name.
pub fn type_index(name: &str) -> Option<usize> {
    TYPES.iter().position(|t| *t == name)
}

/// Whether label `cur` may follow `prev` (`None` = sentence start).
pub(crate) fn allowed(prev: Option<usize>, cur: usize) -> bool {
    let open = prev.and_then(parts).filter(|&(_, p)| p == B || p == I);
    match (open, parts(cur)) {
        (None, None) => true,
        (None, Some((_, p))) => p == B || p == U,
        (Some(_), None) => false,
        (Some((t0, _)), Some((t, p))) => t == t0 && (p == I || p == L),
    }
}

/// Whether a sentence may end on label `l`.
pub(crate) fn allowed_end(l: usize) -> bool {
    !matches!(parts(l), Some((_, p)) if p == B || p == I)
}

/// An entity over token indices `tokens` of type index `ty` (into [`TYPES`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenEntity {
    /// The tokens covered, end-exclusive.
    pub tokens: Range<usize>,
    /// Index into [`TYPES`].
    pub ty: usize,
}

/// BILOU labels for `n` tokens holding `entities`.
pub(crate) fn encode(n: usize, entities: &[TokenEntity]) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for e in entities {
        let Range { start, end } = e.tokens.clone();
        if end > n || start >= end {
            continue;
        }
        if end - start == 1 {
            out[start] = label(e.ty, U) as u8;
            continue;
        }
        out[start] = label(e.ty, B) as u8;
        for o in &mut out[start + 1..end - 1] {
            *o = label(e.ty, I) as u8;
        }
        out[end - 1] = label(e.ty, L) as u8;
    }
    out
}

/// The entities of a BILOU label sequence; lenient about invalid sequences (a stray I or L
/// starts an entity) so that any sequence decodes.
pub(crate) fn decode(labels: &[u8]) -> Vec<TokenEntity> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &l) in labels.iter().enumerate() {
        let p = parts(l as usize);
        if let Some((s, t)) = open {
            let continues = matches!(p, Some((t2, q)) if t2 == t && (q == I || q == L));
            if !continues {
                out.push(TokenEntity {
                    tokens: s..i,
                    ty: t,
                });
                open = None;
            }
        }
        match p {
            None => {}
            Some((t, q)) => {
                if open.is_none() {
                    open = Some((i, t));
                }
                if q == L || q == U {
                    if let Some((s, t)) = open.take() {
                        out.push(TokenEntity {
                            tokens: s..i + 1,
                            ty: t,
                        });
                    }
                }
            }
        }
    }
    if let Some((s, t)) = open {
        out.push(TokenEntity {
            tokens: s..labels.len(),
            ty: t,
        });
    }
    out
}

/// An entity read from IOB tags, with its type name as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagSpan {
    /// The tokens covered, end-exclusive.
    pub tokens: Range<usize>,
    /// The type name after `B-`/`I-` (`PER`, `ORG`, ...).
    pub ty: String,
}

/// Entities of IOB1 or IOB2 tags, exactly as conlleval reads them: an entity starts at
/// `B-X`, or at `I-X` after `O` or after another type; both schemes parse with this rule.
/// Tags without a `B-`/`I-` prefix (other than `O`) are read as `I-`, as conlleval does.
pub fn iob_spans<S: AsRef<str>>(tags: &[S]) -> Vec<TagSpan> {
    let mut out: Vec<TagSpan> = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.as_ref();
        let (prefix, ty) = match tag.split_once('-') {
            Some((p, t)) if p == "B" || p == "I" || p == "E" || p == "S" => (p, t),
            _ if tag == "O" || tag.is_empty() => ("O", ""),
            _ => ("I", tag),
        };
        let starts =
            prefix == "B" || prefix == "S" || (prefix != "O" && open.map(|(_, t)| t) != Some(ty));
        if let Some((s, t)) = open {
            if prefix == "O" || starts {
                out.push(TagSpan {
                    tokens: s..i,
                    ty: t.to_string(),
                });
                open = None;
            }
        }
        if starts {
            open = Some((i, ty));
        }
    }
    if let Some((s, t)) = open {
        out.push(TagSpan {
            tokens: s..tags.len(),
            ty: t.to_string(),
        });
    }
    out
}

/// How tags are written: IOB1 (CoNLL-2003 files: `B-` only between two adjacent entities
/// of one type) or IOB2 (every entity opens with `B-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    /// `I-X` everywhere except where an entity follows one of the same type.
    #[default]
    Iob1,
    /// `B-X` on every first token.
    Iob2,
}

/// Writes `n` tags for `entities` (sorted, non-overlapping) in `scheme`.
pub fn to_tags(n: usize, entities: &[TagSpan], scheme: Scheme) -> Vec<String> {
    let mut out = vec!["O".to_string(); n];
    let mut prev_end_type: Option<(usize, &str)> = None;
    for e in entities {
        let Range { start, end } = e.tokens.clone();
        if end > n || start >= end {
            continue;
        }
        let adjacent = prev_end_type == Some((start, e.ty.as_str()));
        for (i, o) in out[start..end].iter_mut().enumerate() {
            let b = i == 0 && (scheme == Scheme::Iob2 || adjacent);
            *o = format!("{}-{}", if b { "B" } else { "I" }, e.ty);
        }
        prev_end_type = Some((end, e.ty.as_str()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(r: Range<usize>, ty: &str) -> TagSpan {
        TagSpan {
            tokens: r,
            ty: ty.to_string(),
        }
    }

    #[test]
    fn iob1_b_only_separates_same_type_neighbours() {
        let tags = ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "I-ORG"];
        let spans = iob_spans(&tags);
        assert_eq!(
            spans,
            vec![
                span(0..2, "PER"),
                span(2..3, "PER"),
                span(4..5, "LOC"),
                span(5..7, "ORG")
            ]
        );
        assert_eq!(to_tags(7, &spans, Scheme::Iob1), tags);
    }

    #[test]
    fn iob2_opens_every_entity_with_b() {
        let spans = iob_spans(&["B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG", "I-ORG"]);
        assert_eq!(
            to_tags(7, &spans, Scheme::Iob2),
            ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG", "I-ORG"]
        );
        assert_eq!(
            to_tags(7, &spans, Scheme::Iob1),
            ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "I-ORG"]
        );
    }

    #[test]
    fn stray_i_after_o_starts_an_entity() {
        assert_eq!(iob_spans(&["O", "I-MISC", "O"]), vec![span(1..2, "MISC")]);
    }

    #[test]
    fn bilou_round_trips() {
        let ents = vec![
            TokenEntity {
                tokens: 0..1,
                ty: 0,
            },
            TokenEntity {
                tokens: 1..4,
                ty: 2,
            },
            TokenEntity {
                tokens: 5..7,
                ty: 3,
            },
        ];
        let labels = encode(8, &ents);
        assert_eq!(decode(&labels), ents);
        let mut prev = None;
        for &l in &labels {
            assert!(allowed(prev, l as usize));
            prev = Some(l as usize);
        }
        assert!(allowed_end(labels[7] as usize));
    }
}
