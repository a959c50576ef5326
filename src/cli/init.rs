//! `bindery init`: a new book that builds at once.
//!
//! The scaffold teaches by example: `essay.md` holds every front-matter key with a comment,
//! a figure with alt text and a caption, a second chapter and a footnote; `images/` holds
//! the one example picture. Nothing is ever overwritten: if any file of the scaffold exists,
//! nothing is written and every clash is named, so running `init` in the wrong folder is
//! harmless.

use std::fs;
use std::path::{Path, PathBuf};

use bindery::diagnostics::Diagnostic;
use bindery::error::{Error, IoContext, Result};

const ESSAY: &str = include_str!("init/essay.md");
const GITIGNORE: &str = include_str!("init/gitignore");

/// Writes a new book into `dir` (created if missing) and returns the files written, in order.
pub(crate) fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    let files: [(PathBuf, Vec<u8>); 3] = [
        (dir.join("essay.md"), ESSAY.as_bytes().to_vec()),
        (dir.join("images").join("example.png"), example_png()?),
        (dir.join(".gitignore"), GITIGNORE.as_bytes().to_vec()),
    ];

    // `symlink_metadata`, not `exists`: a dangling link is still something we would clobber.
    let clashes: Vec<Diagnostic> = files
        .iter()
        .filter(|(path, _)| fs::symlink_metadata(path).is_ok())
        .map(|(path, _)| {
            Diagnostic::error("already exists; bindery init never overwrites a file")
                .in_file(path)
                .with_help(
                    "run `bindery init` in an empty or new folder, e.g. `bindery init my-book`",
                )
        })
        .collect();
    if !clashes.is_empty() {
        return Err(Error::Input(clashes));
    }

    for (path, bytes) in &files {
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).context("create the folder", folder)?;
        }
        // `create_new` closes the gap between the check above and this write.
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, bytes))
            .context("write", path)?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// A small drawn picture (sky, sun, hills) for the example figure, made here rather than
/// shipped as a binary file: 640×400 RGB PNG, the same bytes on every run.
fn example_png() -> Result<Vec<u8>> {
    const WIDTH: u32 = 640;
    const HEIGHT: u32 = 400;
    let mut pixels = Vec::with_capacity((WIDTH * HEIGHT * 3) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (fx, fy) = (x as f32 / WIDTH as f32, y as f32 / HEIGHT as f32);
            let hill = 0.62 + 0.08 * (fx * 7.0).sin() + 0.04 * (fx * 17.0 + 1.0).sin();
            let sun = ((fx - 0.7).powi(2) + ((fy - 0.35) * 0.625).powi(2)).sqrt() < 0.07;
            let rgb = if fy > hill {
                let shade = 1.0 - 0.4 * (fy - hill) / (1.0 - hill);
                [40.0 * shade, 150.0 * shade, 60.0 * shade]
            } else if sun {
                [255.0, 214.0, 90.0]
            } else {
                [90.0 + 120.0 * fy, 150.0 + 70.0 * fy, 235.0]
            };
            pixels.extend(rgb.map(|c| c.clamp(0.0, 255.0) as u8));
        }
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&pixels))
        .map_err(|error| {
            Error::io(
                "draw the example image",
                "images/example.png",
                std::io::Error::other(error),
            )
        })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_and_names_every_clash() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("essay.md"), "mine").unwrap();
        fs::write(dir.path().join(".gitignore"), "mine").unwrap();
        let Err(Error::Input(problems)) = init(dir.path()) else {
            panic!("init must refuse");
        };
        let named: Vec<_> = problems.iter().map(|p| p.path.clone().unwrap()).collect();
        assert_eq!(
            named,
            [dir.path().join("essay.md"), dir.path().join(".gitignore")]
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("essay.md")).unwrap(),
            "mine"
        );
        assert!(!dir.path().join("images").exists(), "nothing is written");
    }

    #[test]
    fn the_example_image_is_the_same_every_time() {
        assert_eq!(example_png().unwrap(), example_png().unwrap());
    }
}
