//! A cover typeset from the title, subtitle and byline, for books whose front matter names
//! no `cover:` image.
//!
//! Kindle and Kobo library views show a book by its cover image; without one a sideloaded book
//! is a grey tile with a generic icon, so every book gets a raster cover. It is drawn here with
//! a bundled font (EB Garamond, SIL Open Font License, `assets/fonts/`) rather than any font
//! installed on the machine, so the same metadata gives the same bytes on every computer: the
//! layout is integer pixel positions, the rasterizer (`ab_glyph`) is deterministic, and the
//! JPEG encoder is the pipeline's own.
//!
//! The design is plain on purpose: warm paper colour, dark type, one rule in an accent colour.
//! It survives grayscale e-ink and a thumbnail a few pixels wide.
//!
//! EB Garamond draws Latin, Greek and Cyrillic; a title in Japanese or Arabic would come out
//! as a row of empty boxes (issue 9, item 11). A font that covers every script is tens of
//! megabytes, and Arabic or Devanagari would also need a text shaper to be drawn correctly, so
//! a title, subtitle or byline with any character the font cannot draw is left off the artwork
//! instead: the cover keeps its design and the rest of its text, the title page (which is
//! text, drawn by the reader's own fonts) shows the title, and [`left_off`] names what was
//! left out and in which scripts, for the build's warning.

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont, point};
use image::{DynamicImage, Rgb, RgbImage};
use unicode_script::{Script, UnicodeScript};

use super::encode::{EncodeError, OutputFormat, encode_jpeg};

/// Why no cover could be made. Neither should happen with the bundled font; both are reported
/// rather than trusted.
#[derive(Debug, thiserror::Error)]
pub enum CoverError {
    #[error("the bundled cover font cannot be read")]
    Font,
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// The bundled typeface; its licence is `assets/fonts/OFL.txt`.
const FONT: &[u8] = include_bytes!("../../assets/fonts/EBGaramond12-Regular.otf");

/// Kindle's recommended cover shape, 1:1.6, at a size that stays sharp on 300 ppi screens.
pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 2560;
const MARGIN: u32 = 160;
const QUALITY: u8 = 90;

const PAPER: [u8; 3] = [0xf3, 0xed, 0xe2];
const INK: [u8; 3] = [0x1e, 0x1c, 0x1a];
const ACCENT: [u8; 3] = [0x8c, 0x2f, 0x1f];

/// What the cover says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverText {
    pub title: String,
    pub subtitle: Option<String>,
    /// The names under the title, e.g. "Ann Author and Bob Writer"; empty for none.
    pub byline: String,
}

/// A part of the cover text that the bundled font cannot draw, and so is not on the cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOff {
    /// `title`, `subtitle` or `byline`.
    pub part: &'static str,
    /// The Unicode scripts of the characters the font lacks, in order of first appearance,
    /// e.g. `["Han", "Hiragana"]`; `"other symbols"` for punctuation shared by scripts.
    pub scripts: Vec<&'static str>,
    /// The characters the font lacks, each once, in order of first appearance.
    pub characters: String,
}

/// What [`render`] leaves off the cover because the bundled font cannot draw it.
pub fn left_off(text: &CoverText) -> Result<Vec<LeftOff>, CoverError> {
    let font = FontRef::try_from_slice(FONT).map_err(|_| CoverError::Font)?;
    let parts = [
        ("title", Some(text.title.as_str())),
        ("subtitle", text.subtitle.as_deref()),
        ("byline", Some(text.byline.as_str())),
    ];
    Ok(parts
        .into_iter()
        .filter_map(|(part, value)| {
            let mut characters = String::new();
            let mut scripts = Vec::new();
            for c in missing_glyphs(&font, value?) {
                if !characters.contains(c) {
                    characters.push(c);
                }
                let script = script_name(c);
                if !scripts.contains(&script) {
                    scripts.push(script);
                }
            }
            (!characters.is_empty()).then_some(LeftOff {
                part,
                scripts,
                characters,
            })
        })
        .collect())
}

/// The characters of `text` (other than white space) that have no glyph in `font`.
fn missing_glyphs<'a>(font: &'a FontRef, text: &'a str) -> impl Iterator<Item = char> + 'a {
    // Glyph 0 is `.notdef`, the empty box a font draws for a character it does not have.
    text.chars()
        .filter(|c| !c.is_whitespace() && font.glyph_id(*c).0 == 0)
}

/// `text` when the font can draw all of it; `None` puts nothing on the cover in its place.
fn drawable<'a>(font: &FontRef, text: &'a str) -> Option<&'a str> {
    missing_glyphs(font, text).next().is_none().then_some(text)
}

fn script_name(c: char) -> &'static str {
    match c.script() {
        Script::Common | Script::Inherited | Script::Unknown => "other symbols",
        script => script.full_name(),
    }
}

/// The cover as JPEG bytes, `WIDTH`×`HEIGHT`. A part of the text the font cannot draw (see
/// [`left_off`]) is not drawn; the rest of the layout stays where it would be.
pub fn render(text: &CoverText, grayscale: bool) -> Result<Vec<u8>, CoverError> {
    let font = FontRef::try_from_slice(FONT).map_err(|_| CoverError::Font)?;
    let mut canvas = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb(PAPER));
    let width = WIDTH - 2 * MARGIN;
    let title = drawable(&font, &text.title).unwrap_or_default();

    // The title as large as it fits in at most four lines, from 190 px down to 72 px.
    let (title_size, title_lines) = fit(&font, title, width, 190.0, 72.0, 4);
    let mut y = HEIGHT * 22 / 100;
    for line in &title_lines {
        y += line_height(title_size);
        draw_centred(&mut canvas, &font, line, title_size, y, INK);
    }

    y += line_height(title_size) / 2;
    let rule_width = 240;
    fill(
        &mut canvas,
        (WIDTH - rule_width) / 2,
        y,
        rule_width,
        6,
        ACCENT,
    );
    y += 40;

    if let Some(subtitle) = text.subtitle.as_deref().and_then(|s| drawable(&font, s)) {
        let (size, lines) = fit(&font, subtitle, width, 84.0, 44.0, 4);
        for line in &lines {
            y += line_height(size);
            draw_centred(&mut canvas, &font, line, size, y, INK);
        }
    }

    let byline = drawable(&font, &text.byline).unwrap_or_default();
    if !byline.trim().is_empty() {
        let (size, lines) = fit(&font, byline, width, 88.0, 40.0, 2);
        let mut y = HEIGHT - MARGIN - line_height(size) * (lines.len() as u32 - 1);
        for line in &lines {
            draw_centred(&mut canvas, &font, line, size, y, INK);
            y += line_height(size);
        }
    }

    let image = if grayscale {
        DynamicImage::ImageLuma8(DynamicImage::ImageRgb8(canvas).to_luma8())
    } else {
        DynamicImage::ImageRgb8(canvas)
    };
    Ok(encode_jpeg(&image, None, QUALITY)?)
}

/// The format [`render`] produces.
pub const FORMAT: OutputFormat = OutputFormat::Jpeg;

fn line_height(size: f32) -> u32 {
    (size * 1.2).round() as u32
}

/// The largest size from `max` down to `min` at which `text` wraps into at most `max_lines`
/// lines no wider than `width`; at `min`, whatever the wrapping gives (a word too long for the
/// line is left to overflow the margin rather than be cut).
fn fit(
    font: &FontRef,
    text: &str,
    width: u32,
    max: f32,
    min: f32,
    max_lines: usize,
) -> (f32, Vec<String>) {
    let mut size = max;
    loop {
        let lines = wrap(font, text, size, width);
        let fits = lines.len() <= max_lines
            && lines
                .iter()
                .all(|line| advance(font, line, size) <= width as f32);
        if fits || size <= min {
            return (size, lines);
        }
        size = (size * 0.92).max(min).round();
    }
}

/// Greedy word wrap: as many words on a line as fit.
fn wrap(font: &FontRef, text: &str, size: f32, width: u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || advance(font, &candidate, size) <= width as f32 {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The glyphs of one line, positioned from x = 0 on the baseline, with kerning.
fn layout(font: &FontRef, text: &str, size: f32) -> Vec<Glyph> {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut glyphs = Vec::new();
    let mut x = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            x += scaled.kern(previous, id);
        }
        glyphs.push(id.with_scale_and_position(size, point(x, 0.0)));
        x += scaled.h_advance(id);
        previous = Some(id);
    }
    glyphs
}

fn advance(font: &FontRef, text: &str, size: f32) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    layout(font, text, size)
        .last()
        .map_or(0.0, |glyph| glyph.position.x + scaled.h_advance(glyph.id))
}

/// Draws `text` centred on the canvas with its baseline at `baseline`, blending coverage.
fn draw_centred(
    canvas: &mut RgbImage,
    font: &FontRef,
    text: &str,
    size: f32,
    baseline: u32,
    colour: [u8; 3],
) {
    let left = ((WIDTH as f32 - advance(font, text, size)) / 2.0).round();
    for mut glyph in layout(font, text, size) {
        glyph.position.x += left;
        glyph.position.y = baseline as f32;
        let Some(outline) = font.outline_glyph(glyph) else {
            continue; // a space
        };
        let bounds = outline.px_bounds();
        outline.draw(|x, y, coverage| {
            let px = bounds.min.x as i64 + i64::from(x);
            let py = bounds.min.y as i64 + i64::from(y);
            if let (Ok(px), Ok(py)) = (u32::try_from(px), u32::try_from(py))
                && px < WIDTH
                && py < HEIGHT
            {
                let pixel = canvas.get_pixel_mut(px, py);
                let coverage = coverage.clamp(0.0, 1.0);
                for (channel, ink) in pixel.0.iter_mut().zip(colour) {
                    let blended =
                        f32::from(*channel) * (1.0 - coverage) + f32::from(ink) * coverage;
                    *channel = blended.round() as u8;
                }
            }
        });
    }
}

fn fill(canvas: &mut RgbImage, x: u32, y: u32, width: u32, height: u32, colour: [u8; 3]) {
    for py in y..(y + height).min(HEIGHT) {
        for px in x..(x + width).min(WIDTH) {
            canvas.put_pixel(px, py, Rgb(colour));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> FontRef<'static> {
        FontRef::try_from_slice(FONT).unwrap()
    }

    #[test]
    fn long_titles_wrap_within_the_margins_and_shrink_to_four_lines() {
        let title = "What Life Is REALLY Like in a Socialist Dictatorship, and Other Stories \
                     Told by the People Who Live There";
        let (size, lines) = fit(&font(), title, WIDTH - 2 * MARGIN, 190.0, 72.0, 4);
        assert!(lines.len() <= 4, "{lines:?}");
        assert!(size < 190.0);
        for line in &lines {
            assert!(advance(&font(), line, size) <= (WIDTH - 2 * MARGIN) as f32);
        }
        assert_eq!(
            lines.join(" "),
            title.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn a_short_title_keeps_the_largest_size_on_one_line() {
        let (size, lines) = fit(&font(), "Tides", WIDTH - 2 * MARGIN, 190.0, 72.0, 4);
        assert_eq!((size, lines), (190.0, vec!["Tides".to_owned()]));
    }

    #[test]
    fn the_same_text_gives_the_same_bytes_and_other_text_other_bytes() {
        let text = CoverText {
            title: "Harbours".into(),
            subtitle: Some("A Year on the Quay".into()),
            byline: "Ann Author".into(),
        };
        let first = render(&text, false).unwrap();
        assert_eq!(first, render(&text, false).unwrap());
        let other = CoverText {
            title: "Harbour".into(),
            ..text
        };
        assert_ne!(first, render(&other, false).unwrap());
        let decoded = image::load_from_memory(&first).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (WIDTH, HEIGHT));
    }

    #[test]
    fn a_title_the_font_cannot_draw_is_left_off_and_its_scripts_named() {
        let text = CoverText {
            title: "吾輩は猫である".into(),
            subtitle: Some("A Novel".into()),
            byline: "夏目 漱石".into(),
        };
        let left = left_off(&text).unwrap();
        assert_eq!(
            left,
            vec![
                LeftOff {
                    part: "title",
                    scripts: vec!["Han", "Hiragana"],
                    characters: "吾輩は猫である".into(),
                },
                LeftOff {
                    part: "byline",
                    scripts: vec!["Han"],
                    characters: "夏目漱石".into(),
                },
            ]
        );
        // No boxes: the cover is exactly the one with those parts empty.
        let without = CoverText {
            title: String::new(),
            subtitle: Some("A Novel".into()),
            byline: String::new(),
        };
        assert_eq!(
            render(&text, false).unwrap(),
            render(&without, false).unwrap()
        );
    }

    #[test]
    fn latin_greek_and_cyrillic_titles_are_drawn_in_full() {
        for title in ["Ωδή στη θάλασσα", "Война и мир", "Ærø — Straße, façade"]
        {
            let text = CoverText {
                title: title.into(),
                subtitle: None,
                byline: "Ann Author".into(),
            };
            assert_eq!(left_off(&text).unwrap(), vec![], "{title}");
        }
    }

    #[test]
    fn arabic_and_shared_punctuation_are_named() {
        let text = CoverText {
            title: "مقدمة في البرمجة«»".into(),
            subtitle: Some("דקדוק".into()),
            byline: String::new(),
        };
        let left = left_off(&text).unwrap();
        assert_eq!(left[0].scripts, vec!["Arabic"]);
        assert_eq!(left[1].scripts, vec!["Hebrew"]);
        let cjk_punctuation = CoverText {
            title: "「」".into(),
            subtitle: None,
            byline: String::new(),
        };
        assert_eq!(
            left_off(&cjk_punctuation).unwrap()[0].scripts,
            vec!["other symbols"]
        );
    }
}
