//! bindery turns a Markdown essay with YAML front matter and its captioned images into a
//! small, valid, reproducible EPUB 3.
//!
//! Data flows one way:
//!
//! ```text
//! Config ─► source (read files) ─► frontmatter + markdown (pure) ─► links resolved
//!        ─► images (decode, resize, encode, cache) ─► epub (XHTML, OPF, nav, NCX) ─► package (zip)
//! ```

// Whatever the input, bindery reports a located problem and exits; it never panics. Tests
// (cfg(test)) may unwrap: there a panic is a failed test.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cli;
pub mod config;
pub mod css;
pub mod definition_markers;
pub mod diagnostics;
pub mod documents;
pub mod dom;
pub mod epub;
pub mod error;
pub mod frontmatter;
pub mod images;
pub mod init;
pub mod interrupt;
pub mod lint;
pub mod markdown;
pub mod mathml;
pub mod model;
pub mod nesting;
pub mod order;
pub mod output;
pub mod package;
pub mod report;
pub mod script;
pub mod serve;
pub mod snippets;
pub mod source;
pub mod stylesheet;
pub mod target;
pub mod terminal;
pub mod validate;
pub mod watch;
pub mod xhtml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{CacheMode, Config};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{Document, ImageOutcome};
use crate::error::{Error, IoContext, Result};
use crate::frontmatter::MetaDefaults;
use crate::images::{ImageJob, PipelineSettings, ProcessedImage, Purpose};
use crate::model::{Book, ImageResource, Meta};
use crate::source::{InputKind, Manuscript, SourceFile};

/// What a successful build made.
#[derive(Debug, Clone)]
pub struct Report {
    pub output: PathBuf,
    pub warnings: Vec<Diagnostic>,
    pub chapters: usize,
    pub figures: usize,
    /// Image files in the EPUB, the cover's included.
    pub images: usize,
    /// Whether the EPUB has a cover image (given, or generated from the title).
    pub has_cover: bool,
    pub image_bytes_in: u64,
    pub image_bytes_out: u64,
    /// Each source image and what it became, in the order of the book (`-v` and `--report
    /// json` show them).
    pub image_sizes: Vec<ImageSize>,
    pub epub_bytes: u64,
    pub elapsed: Duration,
    /// How long each stage took, in order (`-v` and `--report json` show them).
    pub stages: Vec<report::StageTime>,
    /// What `-v` adds: cache entries found damaged and rebuilt, one line each.
    pub notes: Vec<String>,
}

impl Report {
    /// One line for the terminal: what went in, what came out, how long it took. Counts
    /// say what they count: chapters (content documents), figures, and the image files
    /// beside the cover.
    pub fn summary(&self) -> String {
        let photos = self.images - usize::from(self.has_cover);
        format!(
            "built {}: {}, {}, {}{} ({} → {}), EPUB {} in {:.2} s",
            self.output.display(),
            count(self.chapters, "chapter", "chapters"),
            count(self.figures, "figure", "figures"),
            count(photos, "image", "images"),
            if self.has_cover { " + cover" } else { "" },
            human_bytes(self.image_bytes_in),
            human_bytes(self.image_bytes_out),
            human_bytes(self.epub_bytes),
            self.elapsed.as_secs_f64()
        )
    }
}

/// `1 chapter`, `2 chapters`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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

/// Sizes for people, in decimal units everywhere (1 kB = 1000 bytes, 1 MB = 1000 kB): the
/// units of `--max-size`, of stores' published limits and of file managers.
fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.0} kB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}

/// One source image and the file it became in the EPUB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSize {
    pub source: PathBuf,
    /// The file's name in the EPUB's `images/` folder.
    pub output: String,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub cache_hit: bool,
}

impl ImageSize {
    fn of(image: &ProcessedImage) -> Self {
        ImageSize {
            source: image.source.clone(),
            output: image.file_name.clone(),
            bytes_in: image.bytes_in,
            bytes_out: image.bytes_out,
            cache_hit: image.cache_hit,
        }
    }

    /// The source as the user knows it: relative to the working folder when inside it.
    pub fn source_shown(&self) -> PathBuf {
        std::env::current_dir()
            .ok()
            .and_then(|here| self.source.strip_prefix(here).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| self.source.clone())
    }

    /// `book/images/a.jpg 527 kB → 212 kB (-60 %)` for `-v`.
    pub fn line(&self) -> String {
        let change = if self.bytes_in == 0 {
            String::new()
        } else {
            let percent = (self.bytes_out as f64 / self.bytes_in as f64 - 1.0) * 100.0;
            format!(" ({percent:+.0} %)")
        };
        let cached = if self.cache_hit { ", cached" } else { "" };
        format!(
            "{} {} → {}{change}{cached}",
            self.source_shown().display(),
            human_bytes(self.bytes_in),
            human_bytes(self.bytes_out)
        )
    }
}

/// What `bindery check` found in a manuscript that has no errors.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub warnings: Vec<Diagnostic>,
    pub files: usize,
    pub images: usize,
    pub elapsed: Duration,
}

impl CheckReport {
    pub fn summary(&self) -> String {
        format!(
            "checked {} and {}: {} in {:.2} s",
            count(self.files, "file", "files"),
            count(self.images, "image", "images"),
            count(self.warnings.len(), "warning", "warnings"),
            self.elapsed.as_secs_f64()
        )
    }
}

/// Everything a build learns about the manuscript before it makes anything.
struct Analysis {
    manuscript: Manuscript,
    /// `None` when the front matter has errors (they are in `diagnostics`).
    meta: Option<Meta>,
    documents: Vec<Document>,
    images: ImagePlan,
    /// The user's stylesheet, read under the input rule and sanitised; `None` without
    /// `css:` or when it cannot be used (the reason is in `diagnostics`).
    stylesheet: Option<PreparedStylesheet>,
    diagnostics: Diagnostics,
}

/// Reads and checks the manuscript: front matter, Markdown, links, and where every image
/// is. Problems go into the analysis' diagnostics rather than ending it, so one run reports
/// them all; only a manuscript that cannot be read at all is an early error.
fn analyse(config: &Config) -> Result<Analysis> {
    let manuscript = source::read_manuscript(&config.inputs)?;
    let mut diagnostics = Diagnostics::new();
    let meta = read_meta(&manuscript, config, &mut diagnostics)?;
    let stylesheet = meta
        .as_ref()
        .and_then(|m| m.css.as_deref())
        .and_then(|css| {
            read_stylesheet(&manuscript, css, &mut diagnostics).map(|(path, text)| {
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
    let mut documents = render_documents(&manuscript, config, split_level, &mut diagnostics);
    documents::resolve_links(&mut documents, &manuscript.files, &mut diagnostics);
    lint::skipped_heading_levels(&documents, &manuscript.files, &mut diagnostics);
    lint::images_without_alt_text(&documents, &manuscript.files, &mut diagnostics);
    let images = plan_images(
        &manuscript,
        meta.as_ref(),
        config,
        &documents,
        &mut diagnostics,
    );
    if let (Some(meta), Some(first)) = (&meta, manuscript.files.first()) {
        cover_warnings(meta, first, &mut diagnostics)?;
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
        lint::unreferenced_images(&manuscript.root, &used, cache_dir(config), &mut diagnostics);
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
    let started = Instant::now();
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
    let mut timings = report::Timings::start();
    let Analysis {
        manuscript,
        meta,
        mut documents,
        images: plan,
        stylesheet,
        mut diagnostics,
    } = analyse(config)?;
    timings.mark("read and check sources");
    let requested = output::requested(
        config.output.as_deref(),
        meta.as_ref().map(|m| m.title.as_str()),
        config.format.extension(),
        config.output_suffix,
    );
    let output = match requested {
        Some(requested) => {
            let mut inputs: Vec<PathBuf> =
                manuscript.files.iter().map(|f| f.path.clone()).collect();
            inputs.extend(plan.sources());
            if let Some(prepared) = &stylesheet {
                inputs.push(prepared.path.clone());
                inputs.extend(prepared.sheet.resources.iter().map(|r| r.source.clone()));
            }
            match output::resolve(&requested, &inputs, cache_dir(config)) {
                Ok(output) => Some(output),
                Err(problem) => {
                    // Refused before any work: no image is processed for a build that
                    // could not be written.
                    diagnostics.push(problem);
                    return Err(Error::Input(diagnostics.into_vec()));
                }
            }
        }
        None => None,
    };
    let scratch = tempfile::Builder::new()
        .prefix(".bindery-")
        .tempdir()
        .context("create a temporary folder", std::env::temp_dir())?;
    let _scratch_registered = interrupt::register(scratch.path());
    let settings = pipeline_settings(meta.as_ref(), config);
    // The images that could be found are processed even when others could not, so their
    // problems are reported in the same run.
    let processed = match images::process(&plan.jobs, &settings, scratch.path()) {
        Ok(processed) => {
            let warnings = processed
                .iter()
                .filter_map(|image| {
                    let warning = image.warning.as_ref()?;
                    Some(Diagnostic::warning(warning.clone()).in_file(&image.source))
                })
                .collect();
            diagnostics.extend(plan.locate(warnings, &manuscript));
            Some(processed)
        }
        Err(problems) => {
            diagnostics.extend(plan.locate(problems, &manuscript));
            None
        }
    };
    let mut diagnostics = fail_on_problems(diagnostics, config)?;
    let (Some(meta), Some(output), Some(processed)) = (meta, output, processed) else {
        // Each of these is `None` only with an error diagnostic, handled just above.
        return Err(Error::Input(diagnostics.into_vec()));
    };
    let mut processed = plan.apply(processed, &mut documents);
    let image_sizes = processed
        .iter()
        .map(|(image, _)| ImageSize::of(image))
        .collect();
    if meta.cover.is_none() {
        processed.push((
            generate_cover(&meta, settings.grayscale, scratch.path())?,
            true,
        ));
    }
    timings.mark("images");

    let (extra_css, stylesheet_resources) = match stylesheet {
        Some(prepared) => (Some(prepared.sheet.css), prepared.sheet.resources),
        None => (None, Vec::new()),
    };
    let chapters = documents::into_chapters(documents, &manuscript.files, &meta.title);
    let images: Vec<ImageResource> = processed
        .iter()
        .map(|(image, is_cover)| ImageResource {
            href: format!("images/{}", image.file_name),
            media_type: image.media_type,
            data: image.path.clone(),
            width: image.width,
            height: image.height,
            is_cover: *is_cover,
        })
        .collect();
    let book = Book {
        meta,
        chapters,
        images,
        extra_css,
        stylesheet_resources,
    };
    let pending =
        package::write_pending(epub::assemble_as(&book, config.format), &output.write_to)?;
    // The budget is checked on the finished temporary file, before it replaces anything, so
    // `--deny-warnings` (or a store's limit, `--target kindle`) can refuse an oversized book
    // and leave the previous one in place.
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
    let epub_bytes = pending.commit()?;
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

/// Renders every file and splits it into content documents.
fn render_documents(
    manuscript: &Manuscript,
    config: &Config,
    split_level: u8,
    diagnostics: &mut Diagnostics,
) -> Vec<Document> {
    let mut next_figure = 0;
    let mut next_document = 0;
    let mut documents = Vec::new();
    for (index, file) in manuscript.files.iter().enumerate() {
        let split = match frontmatter::split(&file.path, &file.text) {
            Ok(split) => split,
            // The first file's unclosed front matter is reported by `read_meta`. In a later
            // file front matter means nothing, so a first line of `---` or `+++` that no
            // fence closes is what CommonMark says it is: a thematic break, or text. Either
            // way the file is rendered whole: skipping it would make its images "unused" and
            // links to its headings "removed", warnings that only follow from the error
            // (issue 10, item 8).
            Err(_) => frontmatter::Split::all_body(&file.text),
        };
        if index > 0 && split.block.is_some() {
            diagnostics.push(
                Diagnostic::warning("front matter in a later file is ignored")
                    .in_file(&file.path)
                    .with_help("the book's metadata comes from the first file only"),
            );
        }
        let rendered = match markdown::render_guarded(
            split.body,
            split.body_offset,
            &mut next_figure,
        ) {
            Ok(rendered) => rendered,
            Err(panic) => {
                let first_line = panic.lines().next().unwrap_or_default().to_string();
                diagnostics.push(
                        Diagnostic::error(format!(
                            "the Markdown parser failed on this file ({first_line})"
                        ))
                        .in_file(&file.path)
                        .with_help(
                            "this is a bug in pulldown-cmark, not in your text; simplify unusual raw HTML or stray `<` and `>` until it passes, and please report it",
                        ),
                    );
                continue;
            }
        };
        for removed in rendered.removed {
            let diagnostic = match inline_image_scheme(&removed.what) {
                // Not an attack but a picture that cannot travel: said as such, and refused
                // like a remote image (a warning for drafts).
                Some(scheme) => {
                    let message = format!(
                        "a {scheme}: image URL cannot be used; save the image into the book folder and refer to it by a relative path"
                    );
                    if config.allow_missing_images {
                        Diagnostic::warning(format!("{message}; its alt text is shown instead"))
                    } else {
                        Diagnostic::error(message)
                    }
                    .with_help(if scheme == "data" {
                        "a data: URL holds the image inside the text; decode it to a file, e.g. images/figure.png, and write ![alt](images/figure.png)"
                    } else {
                        "a file: URL points at one computer's disk; copy the file into the book folder, e.g. images/photo.jpg, and write ![alt](images/photo.jpg)"
                    })
                }
                None => {
                    let help = if removed.what.starts_with(xhtml::NESTING_CUT) {
                        format!(
                            "elements may nest at most {} deep; flatten the nesting here",
                            nesting::MAX_NESTING
                        )
                    } else {
                        "EPUB content may not hold scripts, forms, frames or event handlers"
                            .to_string()
                    };
                    Diagnostic::warning(format!("removed {} from the HTML", removed.what))
                        .with_help(help)
                }
            };
            diagnostics.push(documents::located(diagnostic, file, removed.origin));
        }
        for problem in rendered.tex_errors {
            diagnostics.push(
                documents::located(
                    Diagnostic::warning(format!(
                        "this formula could not be converted to MathML: {}",
                        problem.message
                    )),
                    file,
                    Some(problem.origin),
                )
                .with_help("it is shown as its TeX, as written; fix the TeX, or write `\\$` for a dollar sign that does not start a formula"),
            );
        }
        documents.extend(documents::split_into_documents(
            index,
            rendered.nodes,
            split_level,
            &mut next_document,
        ));
    }
    if documents.is_empty() && !manuscript.files.is_empty() {
        // A book of front matter alone still has its one (empty) page.
        documents.push(documents::Document {
            file: 0,
            file_name: "chapter-001.xhtml".to_string(),
            nodes: Vec::new(),
        });
    }
    documents
}

/// `data` or `file` when the HTML stage removed an image source of that scheme (its words:
/// "data: image source").
fn inline_image_scheme(what: &str) -> Option<&'static str> {
    ["data", "file"]
        .into_iter()
        .find(|scheme| what.starts_with(&format!("{scheme}: image source")))
}

/// Which image files the book uses, and which reference uses which.
struct ImagePlan {
    /// Distinct sources; the cover, if any, is one of them.
    jobs: Vec<ImageJob>,
    /// (file, src) → index into `jobs`, or `None` when the image is shown as its alt text.
    reference_job: HashMap<(usize, String), Option<usize>>,
    /// Per job, the first place that uses it: (file, src as written, origin), for messages.
    first_use: Vec<Option<(usize, String, Option<usize>)>>,
    cover_job: Option<usize>,
}

impl ImagePlan {
    fn sources(&self) -> Vec<PathBuf> {
        self.jobs.iter().map(|job| job.source.clone()).collect()
    }

    /// Moves the image pipeline's problems, which name the image file, to the Markdown line
    /// that uses the image.
    fn locate(&self, problems: Vec<Diagnostic>, manuscript: &Manuscript) -> Vec<Diagnostic> {
        problems
            .into_iter()
            .map(|problem| {
                let used_at = self
                    .jobs
                    .iter()
                    .position(|job| problem.path.as_ref() == Some(&job.source))
                    .and_then(|index| self.first_use[index].as_ref());
                match (used_at, &problem.location) {
                    (Some((file, src, origin)), None) => documents::located(
                        Diagnostic {
                            message: format!("image `{src}`: {}", problem.message),
                            path: None,
                            ..problem
                        },
                        &manuscript.files[*file],
                        *origin,
                    ),
                    _ => problem,
                }
            })
            .collect()
    }

    /// Points the documents at the processed images; returns each distinct output and
    /// whether it is the cover.
    fn apply(
        &self,
        processed: Vec<ProcessedImage>,
        documents: &mut [Document],
    ) -> Vec<(ProcessedImage, bool)> {
        documents::apply_images(documents, &|file, src| match (*self
            .reference_job
            .get(&(file, src.to_string()))?)
        .map(|job| &processed[job])
        {
            Some(image) => Some(ImageOutcome::Use {
                src: format!("../images/{}", image.file_name),
                embedded_caption: image.embedded_caption.clone(),
            }),
            None => Some(ImageOutcome::ReplaceWithAlt),
        });

        // The same output file may serve several references; the EPUB holds it once.
        let mut seen = std::collections::HashSet::new();
        processed
            .into_iter()
            .enumerate()
            .filter(|(_, image)| seen.insert(image.file_name.clone()))
            .map(|(index, image)| (image, Some(index) == self.cover_job))
            .collect()
    }
}

/// Resolves every image reference (and the cover) to a file in the book. References that
/// cannot be used are reported (errors, or warnings with `--allow-missing-images`).
fn plan_images(
    manuscript: &Manuscript,
    meta: Option<&Meta>,
    config: &Config,
    documents: &[Document],
    diagnostics: &mut Diagnostics,
) -> ImagePlan {
    let mut plan = ImagePlan {
        jobs: Vec::new(),
        reference_job: HashMap::new(),
        first_use: Vec::new(),
        cover_job: None,
    };
    let mut job_of_path: HashMap<PathBuf, usize> = HashMap::new();

    for reference in documents::image_references(documents) {
        let file = &manuscript.files[reference.file];
        let resolved = documents::image_target(&reference.src).and_then(|path| {
            let base = file.path.parent().unwrap_or(Path::new(""));
            source::resolve_local(&manuscript.root, base, &path, InputKind::Image).map_err(
                |problem| problem.describe(InputKind::Image, Path::new(&path), &manuscript.root),
            )
        });
        let job = match resolved {
            Ok(path) => {
                let next = plan.jobs.len();
                let index = *job_of_path.entry(path.clone()).or_insert(next);
                if index == next {
                    plan.jobs.push(ImageJob {
                        source: path,
                        purpose: Purpose::Figure,
                    });
                    plan.first_use.push(Some((
                        reference.file,
                        reference.src.clone(),
                        reference.origin,
                    )));
                }
                Some(index)
            }
            Err(reason) => {
                let diagnostic = if config.allow_missing_images {
                    Diagnostic::warning(format!("{reason}; its alt text is shown instead"))
                } else {
                    Diagnostic::error(reason).with_help(
                        "put the image in the book folder and refer to it by a relative path, e.g. images/photo.jpg (or build a draft with --allow-missing-images)",
                    )
                };
                diagnostics.push(documents::located(diagnostic, file, reference.origin));
                None
            }
        };
        plan.reference_job
            .insert((reference.file, reference.src), job);
    }

    if let Some(cover) = meta.and_then(|m| m.cover.as_ref()) {
        let written = cover.strip_prefix(&manuscript.root).unwrap_or(cover);
        let first = &manuscript.files[0];
        match source::resolve_local(
            &manuscript.root,
            &manuscript.root,
            &written.to_string_lossy(),
            InputKind::Image,
        ) {
            Ok(path) => {
                plan.jobs.push(ImageJob {
                    source: path,
                    purpose: Purpose::Cover,
                });
                plan.first_use.push(None);
                plan.cover_job = Some(plan.jobs.len() - 1);
            }
            Err(problem) => diagnostics.push(
                front_matter_diagnostic(
                    Diagnostic::error(format!(
                        "cover {}",
                        problem.describe(InputKind::Image, written, &manuscript.root)
                    )),
                    first,
                    "cover",
                )
                .with_help("set `cover:` to an image path relative to the book folder"),
            ),
        }
    }
    plan
}

/// What a generated cover says: the title, subtitle and authors.
fn cover_text(meta: &Meta) -> images::generated_cover::CoverText {
    let authors: Vec<&str> = meta
        .creators
        .iter()
        .filter(|c| matches!(c.role.as_str(), "aut" | "cre"))
        .map(|c| c.name.as_str())
        .collect();
    // A book without an author (an anthology, a photo essay) is credited to whoever made it.
    let names: Vec<&str> = if authors.is_empty() {
        meta.creators.iter().map(|c| c.name.as_str()).collect()
    } else {
        authors
    };
    images::generated_cover::CoverText {
        title: meta.title.clone(),
        subtitle: meta.subtitle.clone(),
        byline: list_of_words(&names),
    }
}

/// A warning for each part of a generated cover's text that the bundled font cannot draw
/// and that is therefore left off it (never drawn as empty boxes), in `check` and `build`.
fn cover_warnings(
    meta: &Meta,
    first: &source::SourceFile,
    diagnostics: &mut Diagnostics,
) -> Result<()> {
    if meta.cover.is_some() {
        return Ok(());
    }
    for left in images::generated_cover::left_off(&cover_text(meta))? {
        let sample: String = left.characters.chars().take(8).collect();
        let (what, key) = match left.part {
            "title" => ("the title", "title"),
            "subtitle" => ("the subtitle", "subtitle"),
            _ => ("the names", "author"),
        };
        let warning = Diagnostic::warning(format!(
            "the generated cover leaves out {what}: its font, EB Garamond, cannot draw {} (`{sample}`)",
            list_of_words(&left.scripts),
        ))
        .with_help(format!(
            "the title page still shows {what}; for a cover that does, set `cover:` to an image"
        ));
        diagnostics.push(match front_matter_key_offset(&first.text, key) {
            Some(offset) => warning.at(diagnostics::Location::at_offset(
                &first.path,
                &first.text,
                offset,
            )),
            None => warning.in_file(&first.path),
        });
    }
    Ok(())
}

/// Where the top-level front-matter key `key` starts (`key:` in YAML, `key =` in TOML), for
/// pointing a message at it; `None` when it is not written as one line there.
fn front_matter_key_offset(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        if index > 0 && (trimmed == "---" || trimmed == "+++") {
            return None;
        }
        if let Some(rest) = line.strip_prefix(key)
            && (rest.starts_with(':') || rest.trim_start().starts_with('='))
        {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// `a`, `a and b`, `a, b and c`.
fn list_of_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Every book gets a cover: readers' library views show a sideloaded book by its cover image.
/// Without `cover:` one is typeset from the title, subtitle and authors.
fn generate_cover(meta: &Meta, grayscale: bool, scratch: &Path) -> Result<ProcessedImage> {
    use crate::images::generated_cover;
    let text = cover_text(meta);
    let bytes = generated_cover::render(&text, grayscale)?;
    let file_name = images::work::output_file_name(&bytes, generated_cover::FORMAT);
    let path = scratch.join(&file_name);
    std::fs::write(&path, &bytes).context("write the generated cover", &path)?;
    Ok(ProcessedImage {
        source: path.clone(),
        file_name,
        media_type: generated_cover::FORMAT.media_type(),
        path,
        width: generated_cover::WIDTH,
        height: generated_cover::HEIGHT,
        bytes_in: 0,
        bytes_out: bytes.len() as u64,
        embedded_caption: None,
        cache_hit: false,
        cache_note: None,
        warning: None,
    })
}

fn cache_dir(config: &Config) -> Option<&Path> {
    match &config.cache {
        CacheMode::Directory(dir) => Some(dir.as_path()),
        CacheMode::Disabled => None,
    }
}

/// A fixed quality, from the flag or the front matter, turns the search off; otherwise the
/// target of the flag, else of the front matter, else the default (issue 12).
fn jpeg_quality(
    flags: &crate::model::ImageSettings,
    front_matter: &crate::model::ImageSettings,
) -> images::quality::JpegQuality {
    use images::quality::{DEFAULT_TARGET, JpegQuality};
    match flags.quality.or(front_matter.quality) {
        Some(quality) => JpegQuality::Fixed(quality),
        None => JpegQuality::Target(
            flags
                .quality_target
                .or(front_matter.quality_target)
                .unwrap_or(DEFAULT_TARGET),
        ),
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
        show_progress: !config.quiet
            && std::io::IsTerminal::is_terminal(&std::io::stderr())
            && std::env::var_os("CI").is_none(),
        ..defaults
    }
}

/// The user's stylesheet: where it is (canonical, so the output can be compared with it) and
/// its sanitised text with the fonts and images it uses.
struct PreparedStylesheet {
    path: PathBuf,
    sheet: stylesheet::Stylesheet,
}

/// The `css:` stylesheet's text, read under the rule every input follows
/// ([`source::resolve_path`]): a regular file inside the book folder, at most 1 MiB, UTF-8.
/// `None` (after reporting why) when it cannot be used. How its content is then checked is
/// the stylesheet stage's business; this is only where the bytes come from.
fn read_stylesheet(
    manuscript: &Manuscript,
    written: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<(PathBuf, String)> {
    let first = manuscript.files.first()?;
    let written = written.strip_prefix(&manuscript.root).unwrap_or(written);
    let read = source::resolve_local(
        &manuscript.root,
        &manuscript.root,
        &written.to_string_lossy(),
        InputKind::Stylesheet,
    )
    .and_then(|path| Ok((source::read_input(&path, InputKind::Stylesheet)?, path)));
    let problem = match read {
        Ok((bytes, path)) => match String::from_utf8(bytes) {
            Ok(text) => return Some((path, text)),
            Err(_) => Diagnostic::error(format!(
                "stylesheet `{}` is not UTF-8 text",
                written.display()
            ))
            .with_help("save the stylesheet as UTF-8"),
        },
        Err(problem) => {
            Diagnostic::error(problem.describe(InputKind::Stylesheet, written, &manuscript.root))
                .with_help(problem.help(InputKind::Stylesheet))
        }
    };
    diagnostics.push(front_matter_diagnostic(problem, first, "css"));
    None
}

/// `diagnostic` located at the front-matter line that sets `key` in the first file (or at
/// the file when the line cannot be found).
fn front_matter_diagnostic(diagnostic: Diagnostic, first: &SourceFile, key: &str) -> Diagnostic {
    let prefix = format!("{key}:");
    let mut offset = 0;
    for line in first.text.split_inclusive('\n') {
        if line.starts_with(&prefix) {
            return diagnostic.at(diagnostics::Location::at_offset(
                &first.path,
                &first.text,
                offset,
            ));
        }
        offset += line.len();
    }
    diagnostic.in_file(&first.path)
}
