//! Kobo's kepub flavour of a chapter body, as kepubify makes it.
//!
//! Kobo readers open a plain EPUB with an older engine; a `.kepub.epub` gets the Kobo engine,
//! with reading statistics, highlights that stick and proper pop-up notes. That engine finds
//! its place in the text by `koboSpan` spans: every sentence is wrapped in
//! `<span class="koboSpan" id="kobo.P.S">` (P counts blocks of text, S sentences within one),
//! and the body's content sits in `div#book-columns > div#book-inner`, the wrappers its
//! pagination expects. Both are valid XHTML, so the book still passes epubcheck.
//!
//! Text inside SVG or MathML is left alone: a `span` is not allowed there.

use crate::xhtml::dom::{Element, Node};

/// Elements whose text starts a new "paragraph" number, as kepubify counts them.
const BLOCKS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "dt",
    "dd",
    "td",
    "th",
    "figcaption",
    "blockquote",
    "pre",
    "div",
    "caption",
];

/// Elements where a `span` may not go.
const FOREIGN: &[&str] = &["svg", "math"];

/// The body with Kobo's spans; the chapter writer adds the wrappers around it.
pub(super) fn with_kobo_spans(body: &[Node]) -> Vec<Node> {
    let mut counter = Counter {
        paragraph: 0,
        sentence: 0,
    };
    let mut spanned = body.to_vec();
    add_spans(&mut spanned, &mut counter);
    spanned
}

struct Counter {
    paragraph: usize,
    sentence: usize,
}

impl Counter {
    fn next_span(&mut self) -> String {
        if self.paragraph == 0 {
            self.paragraph = 1;
        }
        self.sentence += 1;
        format!("kobo.{}.{}", self.paragraph, self.sentence)
    }

    fn new_paragraph(&mut self) {
        self.paragraph += 1;
        self.sentence = 0;
    }
}

fn add_spans(nodes: &mut Vec<Node>, counter: &mut Counter) {
    let mut result = Vec::with_capacity(nodes.len());
    for node in nodes.drain(..) {
        match node {
            Node::Text(text) if !text.trim().is_empty() => {
                for sentence in sentences(&text) {
                    let id = counter.next_span();
                    result.push(Node::Element(Element {
                        name: "span".into(),
                        attrs: vec![("class".into(), "koboSpan".into()), ("id".into(), id)],
                        children: vec![Node::Text(sentence.to_owned())],
                        origin: None,
                    }));
                }
            }
            Node::Element(mut element) => {
                if !FOREIGN.contains(&element.name.as_str()) {
                    if BLOCKS.contains(&element.name.as_str()) {
                        counter.new_paragraph();
                    }
                    add_spans(&mut element.children, counter);
                }
                result.push(Node::Element(element));
            }
            text => result.push(text),
        }
    }
    *nodes = result;
}

/// Splits after sentence-ending punctuation (and any closing quotes or brackets) followed by
/// white space; the white space stays with the sentence it ends, so no text is lost.
///
/// Chinese and Japanese put no space between sentences, so their full stops and full-width
/// marks (`。！？`, and the half-width `｡` and full-width `．`) end a sentence by themselves.
fn sentences(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let ends_without_space = is_cjk_sentence_end(c);
        if !ends_without_space && !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        let mut end = index + c.len_utf8();
        while let Some(&(index, next)) = chars.peek() {
            if is_sentence_closer(next) {
                chars.next();
                end = index + next.len_utf8();
            } else {
                break;
            }
        }
        let mut spaced = false;
        while let Some(&(index, next)) = chars.peek() {
            if next.is_whitespace() {
                chars.next();
                end = index + next.len_utf8();
                spaced = true;
            } else {
                break;
            }
        }
        if (spaced || ends_without_space) && end < text.len() {
            pieces.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

fn is_cjk_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '｡' | '．')
}

/// What may follow a sentence's last mark and still belong to it: closing quotes and
/// brackets (Western and CJK), and more end marks (`?!`, `。」`).
fn is_sentence_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | ')'
            | ']'
            | '»'
            | '.'
            | '!'
            | '?'
            | '」'
            | '』'
            | '）'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '〙'
            | '〛'
            | '］'
            | '＂'
            | '＇'
    ) || is_cjk_sentence_end(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xhtml::dom::write_xhtml;

    #[test]
    fn sentences_keep_every_character() {
        let text = "He said “Stop.” Then he left! Did he? Yes… 3.5 kg. ";
        let pieces = sentences(text);
        assert_eq!(
            pieces,
            [
                "He said “Stop.” ",
                "Then he left! ",
                "Did he? ",
                "Yes… ",
                "3.5 kg. "
            ]
        );
        assert_eq!(pieces.concat(), text);
    }

    #[test]
    fn chinese_and_japanese_sentences_end_at_their_full_stops() {
        let japanese = "吾輩は猫である。名前はまだ無い。「どこで生れたか？」とんと見当がつかぬ！";
        assert_eq!(
            sentences(japanese),
            [
                "吾輩は猫である。",
                "名前はまだ無い。",
                "「どこで生れたか？」",
                "とんと見当がつかぬ！"
            ]
        );
        let chinese = "你好。你叫什么名字？我不知道！！ 好吧｡完";
        let pieces = sentences(chinese);
        assert_eq!(
            pieces,
            ["你好。", "你叫什么名字？", "我不知道！！ ", "好吧｡", "完"]
        );
        assert_eq!(pieces.concat(), chinese);
        // A Latin full stop inside a word or number still does not split.
        assert_eq!(sentences("版本1.5。下一句"), ["版本1.5。", "下一句"]);
    }

    #[test]
    fn wraps_sentences_numbered_by_block() {
        let body: Vec<Node> = vec![
            Element::new("h1").with_text("Title").into(),
            Node::Text("\n".into()),
            Element::new("p")
                .with_text("One. Two ")
                .with_child(Element::new("em").with_text("three").into())
                .into(),
            Element::new("svg")
                .with_child(Element::new("text").with_text("Not here.").into())
                .into(),
        ];
        let mut out = String::new();
        write_xhtml(&with_kobo_spans(&body), &mut out);
        assert_eq!(
            out,
            "<h1><span class=\"koboSpan\" id=\"kobo.1.1\">Title</span></h1>\n\
             <p><span class=\"koboSpan\" id=\"kobo.2.1\">One. </span>\
             <span class=\"koboSpan\" id=\"kobo.2.2\">Two </span>\
             <em><span class=\"koboSpan\" id=\"kobo.2.3\">three</span></em></p>\
             <svg><text>Not here.</text></svg>"
        );
    }
}
