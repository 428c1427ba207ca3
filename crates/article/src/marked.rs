//! Texts with entities marked inline, for tests and examples: `[Antony Blinken](PER) met
//! [Lavrov](PER)`. One notation, so every crate's tests read the same way.

use crate::{Entity, Label, Span};

/// Splits a marked text into the plain text and its entities (byte spans, score 1.0).
/// Unbalanced markup is kept as text, so any string is accepted.
pub fn parse_marked(source: &str) -> (String, Vec<Entity>) {
    let mut text = String::with_capacity(source.len());
    let mut entities = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find('[') {
        let parsed = rest[open..].find("](").and_then(|close| {
            let close = open + close;
            let end = close + rest[close..].find(')')?;
            Some((close, end))
        });
        let Some((close, end)) = parsed else {
            break;
        };
        text.push_str(&rest[..open]);
        let start = text.len();
        text.push_str(&rest[open + 1..close]);
        entities.push(Entity {
            span: Span::new(start, text.len()),
            label: Label::parse(&rest[close + 2..end]),
            score: 1.0,
        });
        rest = &rest[end + 1..];
    }
    text.push_str(rest);
    (text, entities)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_become_entities() {
        let (text, entities) = parse_marked("[Antony Blinken](PER) met [NATO](ORG) [sic");
        assert_eq!(text, "Antony Blinken met NATO [sic");
        let got: Vec<(&str, &str)> = entities
            .iter()
            .map(|e| (e.span.slice(&text), e.label.as_str()))
            .collect();
        assert_eq!(got, [("Antony Blinken", "PER"), ("NATO", "ORG")]);
    }
}
