//! Text made safe for HTML/XML, shared by the page and the hand-drawn figures: the
//! lowest piece of the report, so that the page, the profile and the tree figure import
//! in one direction.

/// Escapes text for HTML/XML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
