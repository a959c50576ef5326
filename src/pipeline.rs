//! The order of the stages, and nothing else: analyse the manuscript (read, parse, check,
//! find every image), then either stop there (`check`) or process the images, assemble the
//! book and write it (`build`). Each stage lives in its own module; this one only passes
//! their results along and decides when the problems found so far end the run.

use std::path::{Path, PathBuf};

use crate::config::{CacheMode, Config};
use crate::css::stylesheet::{self, PreparedStylesheet};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{self, Document};
use crate::error::{Error, IoContext, Result};
use crate::frontmatter::{self, MetaDefaults};
use crate::images::uses::ImageUses;
use crate::images::{self, PipelineSettings, ProcessedImage};
use crate::model::{Book, ImageResource, Meta};
use crate::outcome::{CheckReport, ImageSize, Report, Timings};
use crate::output::{self, Output};
use crate::progress::{Progress, Silent};
use crate::source::{self, Manuscript};
use crate::{epub, interrupt, package};

/// Everything a build learns about the manuscript before it makes anything.
struct Analysis {
    manuscript: Manuscript,
    /// `None` when the front matter has errors (they are in `diagnostics`).
    meta: Option<Meta>,
    documents: Vec<Document>,
    images: ImageUses,
    /// The user's stylesheet, read under the input rule and sanitised; `None` without
    /// `css:` or when it cannot be used (the reason is in `diagnostics`).
    stylesheet: Option<PreparedStylesheet>,
    diagnostics: Diagnostics,
}

/// Reads and checks the manuscript: front matter, Markdown, links, and where every image
/// is. Problems go into the analysis' diagnostics rather than ending it, so one run reports
/// them all; only a manuscript that cannot be read at all is an early error.
fn analyse(config: &Config) -> Result<Analysis> {
    analyse_manuscript(source::read_manuscript(&config.inputs)?, config)
}

/// [`analyse`] for a manuscript already read, from disk or from memory ([`compile`]).
fn analyse_manuscript(manuscript: Manuscript, config: &Config) -> Result<Analysis> {
    let mut diagnostics = Diagnostics::new();
    let meta = read_meta(&manuscript, config, &mut diagnostics)?;
    let stylesheet = meta
        .as_ref()
        .and_then(|m| m.css.as_deref())
        .and_then(|css| {
            stylesheet::read_stylesheet(&manuscript, css, &mut diagnostics).map(|(path, text)| {
                // Messages name the stylesheet as the author knows it (`book/style.css`), not
                // by its canonical path.
                let written = css.strip_prefix(&manuscript.root).unwrap_or(css);
                (manuscript.root.join(written), path, text)
            })
        })
        .map(|(shown, path, text)| {
            let (sheet, warnings) = stylesheet::prepare(&shown, &text, &manuscript.root);
            diagnostics.extend(warnings);
            PreparedStylesheet { path, sheet }
        });
    let split_level = meta.as_ref().map_or(0, |m| m.split_level);
    let mut documents =
        documents::render::render_documents(&manuscript, config, split_level, &mut diagnostics);
    let figure_settings = meta.as_ref().map(|m| m.figures.clone()).unwrap_or_default();
    documents::figures::make_ids_unique(&mut documents);
    documents::figures::name_cross_references(&mut documents, &figure_settings);
    documents::resolve_links(&mut documents, &manuscript.files, &mut diagnostics);
    documents::lint::skipped_heading_levels(&documents, &manuscript.files, &mut diagnostics);
    documents::lint::images_without_alt_text(&documents, &manuscript.files, &mut diagnostics);
    let images = images::uses::find(
        &manuscript,
        meta.as_ref(),
        config,
        &documents,
        &mut diagnostics,
    );
    if let (Some(meta), Some(first)) = (&meta, manuscript.files.first()) {
        images::cover_text::cover_warnings(meta, first, &mut diagnostics)?;
    }
    // Without valid front matter the cover is not known, so the cover image would be called
    // unused: a warning that only follows from the front-matter error, which is reported.
    if meta.is_some() {
        let mut used = images.sources();
        used.extend(stylesheet.iter().flat_map(|prepared| {
            prepared
                .sheet
                .resources
                .iter()
                .map(|resource| resource.source.clone())
        }));
        documents::lint::unreferenced_images(
            &manuscript.root,
            &used,
            cache_dir(config),
            &mut diagnostics,
        );
    }
    Ok(Analysis {
        manuscript,
        meta,
        documents,
        images,
        stylesheet,
        diagnostics,
    })
}

/// Where the images of one build are written before they are zipped: removed when the
/// build ends, and on Ctrl-C (once registered with [`interrupt`]).
fn scratch_folder() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(".bindery-")
        .tempdir()
        .context("create a temporary folder", std::env::temp_dir())
}

/// Fails with every diagnostic when any is an error, or (with `--deny-warnings`) when any
/// warning was found; warnings then count as errors.
fn fail_on_problems(diagnostics: Diagnostics, config: &Config) -> Result<Diagnostics> {
    if diagnostics.has_errors() {
        return Err(Error::Input(diagnostics.into_vec()));
    }
    if config.deny_warnings && !diagnostics.items().is_empty() {
        let denied = diagnostics
            .into_vec()
            .into_iter()
            .map(Diagnostic::denied)
            .collect();
        return Err(Error::Input(denied));
    }
    Ok(diagnostics)
}

/// Runs every check of a build, decoding each image far enough to know it is sound, and
/// writes nothing.
pub fn check(config: &Config) -> Result<CheckReport> {
    let started = std::time::Instant::now();
    let Analysis {
        manuscript,
        images,
        mut diagnostics,
        ..
    } = analyse(config)?;
    let problems = images::validate(&images.jobs);
    diagnostics.extend(images.locate(problems, &manuscript));
    let diagnostics = fail_on_problems(diagnostics, config)?;
    Ok(CheckReport {
        warnings: diagnostics.into_vec(),
        files: manuscript.files.len(),
        images: images.jobs.len(),
        elapsed: started.elapsed(),
    })
}

/// Builds the EPUB `config` describes. On any error in the input, nothing is written and
/// a previous EPUB at the output path is left as it was.
pub fn build(config: &Config) -> Result<Report> {
    build_with_progress(config, &Silent)
}

/// [`build`], telling `progress` how the image stage advances (the binary draws a bar).
pub fn build_with_progress(config: &Config, progress: &dyn Progress) -> Result<Report> {
    let mut timings = Timings::start();
    let mut analysis = analyse(config)?;
    timings.mark("read and check sources");
    let output = match resolve_output(&analysis, config) {
        Ok(output) => output,
        Err(problem) => {
            // Refused before any work: no image is processed for a build that could not be
            // written.
            analysis.diagnostics.push(problem);
            return Err(Error::Input(analysis.diagnostics.into_vec()));
        }
    };
    let scratch = scratch_folder()?;
    let _scratch_registered = interrupt::register(scratch.path());
    let made = make_book(analysis, config, scratch.path(), progress)?;
    timings.mark("images");
    let Some(output) = output else {
        // `None` only when the front matter has errors, which `make_book` fails on.
        return Err(Error::Input(made.diagnostics.into_vec()));
    };
    let Made {
        book,
        processed,
        image_sizes,
        diagnostics,
    } = made;
    let (epub_bytes, diagnostics) = write_within_budget(&book, &output, diagnostics, config)?;
    timings.mark("write EPUB");

    Ok(Report {
        output: output.requested,
        chapters: book.chapters.len(),
        figures: book.figures().count(),
        images: processed.len(),
        has_cover: processed.iter().any(|(_, is_cover)| *is_cover),
        image_bytes_in: processed.iter().map(|(i, _)| i.bytes_in).sum(),
        image_bytes_out: processed.iter().map(|(i, _)| i.bytes_out).sum(),
        image_sizes,
        warnings: diagnostics.into_vec(),
        epub_bytes,
        elapsed: timings.total(),
        stages: timings.into_stages(),
        notes: processed
            .iter()
            .filter_map(|(image, _)| {
                let note = image.cache_note.as_ref()?;
                Some(format!("{}: {note}", image.source.display()))
            })
            .collect(),
    })
}

/// A book made and not yet written: what [`build`] writes and [`compile`] returns.
struct Made {
    book: Book,
    /// Every image in the book, the cover marked.
    processed: Vec<(ProcessedImage, bool)>,
    /// The figures' sizes, for the report; the cover is not a figure.
    image_sizes: Vec<ImageSize>,
    diagnostics: Diagnostics,
}

/// Processes the analysed manuscript's images into `scratch` and assembles the book, or
/// fails with every problem found so far.
fn make_book(
    mut analysis: Analysis,
    config: &Config,
    scratch: &Path,
    progress: &dyn Progress,
) -> Result<Made> {
    let settings = pipeline_settings(analysis.meta.as_ref(), config);
    let processed = process_images(&mut analysis, &settings, scratch, progress);
    let Analysis {
        manuscript,
        meta,
        mut documents,
        images: uses,
        stylesheet,
        diagnostics,
    } = analysis;
    let diagnostics = fail_on_problems(diagnostics, config)?;
    let (Some(meta), Some(processed)) = (meta, processed) else {
        // Each of these is `None` only with an error diagnostic, handled just above.
        return Err(Error::Input(diagnostics.into_vec()));
    };
    let mut processed = uses.apply(processed, &mut documents, meta.figures.embedded_credits);
    finish_documents(&mut documents, &meta, &processed);
    let image_sizes = processed
        .iter()
        .map(|(image, _)| ImageSize::of(image))
        .collect();
    if meta.cover.is_none() {
        let cover = images::cover_text::generate_cover(&meta, settings.grayscale, scratch)?;
        processed.push((cover, true));
    }
    let chapters = documents::into_chapters(documents, &manuscript.files, &meta.title);
    let book = assemble(meta, chapters, &processed, stylesheet);
    Ok(Made {
        book,
        processed,
        image_sizes,
        diagnostics,
    })
}

/// A book made in memory: every entry of the EPUB after `mimetype`, in order, as
/// (path in the zip, bytes), and the warnings of the build.
#[derive(Debug)]
pub struct Compiled {
    pub entries: Vec<(String, Vec<u8>)>,
    pub warnings: Vec<Diagnostic>,
}

/// The whole build on a manuscript given in memory (or read with
/// [`source::read_manuscript`]), writing nothing but the images' scratch files: the same
/// stages as [`build`], in the same order, so the entries are those `build` zips. Images are
/// read from the manuscript's root folder; a root that does not exist holds none (use
/// `allow_missing_images` to build such a book with alt text instead). The size budget is
/// not checked: it applies to a written file.
///
/// The fuzz target and the tests call this, so neither repeats the pipeline.
pub fn compile(manuscript: Manuscript, config: &Config) -> Result<Compiled> {
    let analysis = analyse_manuscript(manuscript, config)?;
    let scratch = scratch_folder()?;
    let _scratch_registered = interrupt::register(scratch.path());
    let made = make_book(analysis, config, scratch.path(), &Silent)?;
    let entries = epub::assemble_as(&made.book, config.format)
        .into_iter()
        .map(|entry| {
            let bytes = match entry.data {
                package::EntryData::Bytes(bytes) => bytes,
                package::EntryData::File(path) => {
                    std::fs::read(&path).context("read a processed image", &path)?
                }
            };
            Ok((entry.path, bytes))
        })
        .collect::<Result<_>>()?;
    Ok(Compiled {
        entries,
        warnings: made.diagnostics.into_vec(),
    })
}

/// What needs the processed images to be known: each figure's layout from its image's size
/// (rows, plates), numbers and cross-references; then the notes moved to the end when the
/// book asks for endnotes.
fn finish_documents(
    documents: &mut Vec<Document>,
    meta: &Meta,
    processed: &[(ProcessedImage, bool)],
) {
    let sizes: std::collections::HashMap<String, (u32, u32)> = processed
        .iter()
        .map(|(image, _)| {
            let src = epub::layout::image_src_in_text(&image.file_name);
            (src, (image.width, image.height))
        })
        .collect();
    documents::figures::finish(documents, &meta.figures, &|src| sizes.get(src).copied());
    if meta.notes == crate::model::NotePlacement::End {
        documents::endnotes::collect(documents, "Notes");
    }
}

/// Where the EPUB goes, checked against every input and the cache before any work; `None`
/// when the title (which names the default output) is not known because the front matter
/// has errors.
fn resolve_output(
    analysis: &Analysis,
    config: &Config,
) -> std::result::Result<Option<Output>, Diagnostic> {
    let requested = output::requested(
        config.output.as_deref(),
        analysis.meta.as_ref().map(|m| m.title.as_str()),
        config.format.extension(),
        config.output_suffix,
    );
    let Some(requested) = requested else {
        return Ok(None);
    };
    let manuscript = &analysis.manuscript;
    let mut inputs: Vec<PathBuf> = manuscript.files.iter().map(|f| f.path.clone()).collect();
    inputs.extend(analysis.images.sources());
    if let Some(prepared) = &analysis.stylesheet {
        inputs.push(prepared.path.clone());
        inputs.extend(prepared.sheet.resources.iter().map(|r| r.source.clone()));
    }
    output::resolve(&requested, &inputs, cache_dir(config)).map(Some)
}

/// Runs the image pipeline over every image that could be found, even when others could
/// not, so their problems are reported in the same run; each problem and warning moves to
/// the Markdown line that uses the image. `None` when any image failed.
fn process_images(
    analysis: &mut Analysis,
    settings: &PipelineSettings,
    scratch: &Path,
    progress: &dyn Progress,
) -> Option<Vec<ProcessedImage>> {
    let uses = &analysis.images;
    match images::process(&uses.jobs, settings, scratch, progress) {
        Ok(processed) => {
            let warnings = processed
                .iter()
                .filter_map(|image| {
                    let warning = image.warning.as_ref()?;
                    Some(Diagnostic::warning(warning.clone()).in_file(&image.source))
                })
                .collect();
            let located = uses.locate(warnings, &analysis.manuscript);
            analysis.diagnostics.extend(located);
            Some(processed)
        }
        Err(problems) => {
            let located = uses.locate(problems, &analysis.manuscript);
            analysis.diagnostics.extend(located);
            None
        }
    }
}

/// The book as plain data: chapters, the images' places in the EPUB, the user's stylesheet.
fn assemble(
    meta: Meta,
    chapters: Vec<crate::model::Chapter>,
    processed: &[(ProcessedImage, bool)],
    stylesheet: Option<PreparedStylesheet>,
) -> Book {
    let (extra_css, stylesheet_resources) = match stylesheet {
        Some(prepared) => (Some(prepared.sheet.css), prepared.sheet.resources),
        None => (None, Vec::new()),
    };
    let images = processed
        .iter()
        .map(|(image, is_cover)| ImageResource {
            href: epub::layout::image_href(&image.file_name),
            media_type: image.media_type,
            data: image.path.clone(),
            width: image.width,
            height: image.height,
            is_cover: *is_cover,
        })
        .collect();
    Book {
        meta,
        chapters,
        images,
        extra_css,
        stylesheet_resources,
    }
}

/// Writes the EPUB beside its output and moves it into place, unless it is over the size
/// budget and that is an error. The budget is checked on the finished temporary file, before
/// it replaces anything, so `--deny-warnings` (or a store's limit, `--target kindle`) can
/// refuse an oversized book and leave the previous one in place.
fn write_within_budget(
    book: &Book,
    output: &Output,
    mut diagnostics: Diagnostics,
    config: &Config,
) -> Result<(u64, Diagnostics)> {
    let pending = package::write_pending(epub::assemble_as(book, config.format), &output.write_to)?;
    if pending.size() > config.max_epub_bytes {
        if config.size_budget_is_limit {
            diagnostics.push(size_limit_error(&output.requested, pending.size(), config));
            return Err(Error::Input(diagnostics.into_vec()));
        }
        diagnostics.push(size_warning(
            &output.requested,
            pending.size(),
            config.max_epub_bytes,
        ));
        diagnostics = fail_on_problems(diagnostics, config)?;
    }
    Ok((pending.commit()?, diagnostics))
}

/// The book's metadata from the first file's front matter; `None` when it has errors (they
/// are pushed to `diagnostics`, and the rest of the book is still checked).
fn read_meta(
    manuscript: &Manuscript,
    config: &Config,
    diagnostics: &mut Diagnostics,
) -> Result<Option<Meta>> {
    let Some(first) = manuscript.files.first() else {
        return Err(Error::Input(vec![Diagnostic::error(
            "the book has no Markdown files",
        )]));
    };
    let split = match frontmatter::split(&first.path, &first.text) {
        Ok(split) => split,
        Err(problem) => {
            diagnostics.push(problem);
            return Ok(None);
        }
    };
    let defaults = MetaDefaults {
        source_date_epoch: config.source_date_epoch,
    };
    match frontmatter::parse_meta(&first.path, &first.text, &split, &manuscript.root, defaults) {
        Ok(parsed) => {
            diagnostics.extend(parsed.warnings);
            Ok(Some(parsed.meta))
        }
        Err(problems) => {
            diagnostics.extend(problems);
            Ok(None)
        }
    }
}

/// The EPUB was written, but readers' delivery services may refuse it.
fn size_warning(output: &Path, size: u64, budget: u64) -> Diagnostic {
    // In decimal megabytes, the unit of --max-size and of Kindle's published limit.
    let megabytes = |bytes: u64| bytes as f64 / 1e6;
    Diagnostic::warning(format!(
        "the EPUB is {:.1} MB ({size} bytes), over the size budget of {} MB",
        megabytes(size),
        megabytes(budget)
    ))
    .in_file(output)
    .with_help(
        "Send to Kindle refuses books over 50 MB; try a smaller --max-image-size, a lower \
         --jpeg-quality or --grayscale (or raise the budget with --max-size MB)",
    )
}

/// The EPUB is over the limit of the store `--target` names, which would refuse it.
fn size_limit_error(output: &Path, size: u64, config: &Config) -> Diagnostic {
    Diagnostic::error(format!(
        "the EPUB is {:.1} MB ({size} bytes), over the {:.0} MB that --target {} allows",
        size as f64 / 1e6,
        config.max_epub_bytes as f64 / 1e6,
        config.target.name()
    ))
    .in_file(output)
    .with_help(
        "Send to Kindle refuses larger books; try a smaller --max-image-size, a lower \
         --jpeg-quality or --grayscale",
    )
}

fn cache_dir(config: &Config) -> Option<&Path> {
    match &config.cache {
        CacheMode::Directory(dir) => Some(dir.as_path()),
        CacheMode::Disabled => None,
    }
}

fn pipeline_settings(meta: Option<&Meta>, config: &Config) -> PipelineSettings {
    let defaults = PipelineSettings::default();
    let from_meta = meta.map(|m| m.images.clone()).unwrap_or_default();
    PipelineSettings {
        max_size: config
            .images
            .max_size
            .or(from_meta.max_size)
            .unwrap_or(defaults.max_size),
        quality: jpeg_quality(&config.images, &from_meta),
        grayscale: config
            .images
            .grayscale
            .or(from_meta.grayscale)
            .unwrap_or(defaults.grayscale),
        cache_dir: match &config.cache {
            CacheMode::Directory(dir) => Some(dir.clone()),
            CacheMode::Disabled => None,
        },
        animation: from_meta.animation.unwrap_or(defaults.animation),
        ..defaults
    }
}

/// A fixed quality, from the flag or the front matter, turns the search off; otherwise the
/// target of the flag, else of the front matter, runs the search (issue 12); with neither,
/// the default fixed quality.
fn jpeg_quality(
    flags: &crate::model::ImageSettings,
    front_matter: &crate::model::ImageSettings,
) -> images::quality::JpegQuality {
    use images::quality::JpegQuality;
    match (
        flags.quality.or(front_matter.quality),
        flags.quality_target.or(front_matter.quality_target),
    ) {
        (Some(quality), _) => JpegQuality::Fixed(quality),
        (None, Some(target)) => JpegQuality::Target(target),
        (None, None) => JpegQuality::default(),
    }
}
