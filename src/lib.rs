//! bindery turns a Markdown essay with YAML front matter and its captioned images into a
//! small, valid, reproducible EPUB 3.
//!
//! Data flows one way:
//!
//! ```text
//! Config ─► source (read files) ─► frontmatter + markdown (pure) ─► links resolved
//!        ─► images (decode, resize, encode, cache) ─► epub (XHTML, OPF, nav, NCX) ─► package (zip)
//! ```

pub mod cli;
pub mod config;
pub mod definition_markers;
pub mod diagnostics;
pub mod documents;
pub mod dom;
pub mod epub;
pub mod error;
pub mod frontmatter;
pub mod images;
pub mod init;
pub mod lint;
pub mod markdown;
pub mod model;
pub mod nesting;
pub mod package;
pub mod report;
pub mod snippets;
pub mod source;
pub mod terminal;
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
use crate::source::{LocalProblem, Manuscript};

/// What a successful build made.
#[derive(Debug, Clone)]
pub struct Report {
    pub output: PathBuf,
    pub warnings: Vec<Diagnostic>,
    pub chapters: usize,
    pub figures: usize,
    pub images: usize,
    pub image_bytes_in: u64,
    pub image_bytes_out: u64,
    pub epub_bytes: u64,
    pub elapsed: Duration,
    /// How long each stage took, in order (`-v` and `--report json` show them).
    pub stages: Vec<report::StageTime>,
}

impl Report {
    /// One line for the terminal: what went in, what came out, how long it took.
    pub fn summary(&self) -> String {
        format!(
            "built {}: {} page(s), {} figure(s), {} image(s) {} → {}, EPUB {} in {:.2} s",
            self.output.display(),
            self.chapters,
            self.figures,
            self.images,
            human_bytes(self.image_bytes_in),
            human_bytes(self.image_bytes_out),
            human_bytes(self.epub_bytes),
            self.elapsed.as_secs_f64()
        )
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

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.0} kB", b as f64 / 1024.0),
        b => format!("{b} B"),
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
            "checked {} file(s) and {} image(s): {} warning(s) in {:.2} s",
            self.files,
            self.images,
            self.warnings.len(),
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
    diagnostics: Diagnostics,
}

/// Reads and checks the manuscript: front matter, Markdown, links, and where every image
/// is. Problems go into the analysis' diagnostics rather than ending it, so one run reports
/// them all; only a manuscript that cannot be read at all is an early error.
fn analyse(config: &Config) -> Result<Analysis> {
    let manuscript = source::read_manuscript(&config.inputs)?;
    let mut diagnostics = Diagnostics::new();
    let meta = read_meta(&manuscript, config, &mut diagnostics)?;
    let split_level = meta.as_ref().map_or(0, |m| m.split_level);
    let mut documents = render_documents(&manuscript, split_level, &mut diagnostics);
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
    let cache_dir = match &config.cache {
        CacheMode::Directory(dir) => Some(dir.as_path()),
        CacheMode::Disabled => None,
    };
    lint::unreferenced_images(
        &manuscript.root,
        &images.sources(),
        cache_dir,
        &mut diagnostics,
    );
    Ok(Analysis {
        manuscript,
        meta,
        documents,
        images,
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
        mut diagnostics,
    } = analyse(config)?;
    timings.mark("read and check sources");
    let output = output_path(
        config,
        meta.as_ref().map(|m| m.title.as_str()),
        &manuscript,
        &mut diagnostics,
    );
    let scratch = tempfile::Builder::new()
        .prefix(".bindery-")
        .tempdir()
        .context("create a temporary folder", std::env::temp_dir())?;
    let settings = pipeline_settings(meta.as_ref(), config);
    // The images that could be found are processed even when others could not, so their
    // problems are reported in the same run.
    let processed = match images::process(&plan.jobs, &settings, scratch.path()) {
        Ok(processed) => Some(processed),
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
    if meta.cover.is_none() {
        processed.push((
            generate_cover(&meta, settings.grayscale, scratch.path())?,
            true,
        ));
    }
    timings.mark("images");

    let extra_css = match &meta.css {
        Some(path) => Some(read_stylesheet(path)?),
        None => None,
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
    };
    let epub_bytes = package::write_atomically(epub::assemble_as(&book, config.format), &output)?;
    if epub_bytes > config.max_epub_bytes {
        diagnostics.push(size_warning(&output, epub_bytes, config.max_epub_bytes));
    }
    timings.mark("write EPUB");

    Ok(Report {
        output,
        chapters: book.chapters.len(),
        figures: book.figures().count(),
        images: processed.len(),
        image_bytes_in: processed.iter().map(|(i, _)| i.bytes_in).sum(),
        image_bytes_out: processed.iter().map(|(i, _)| i.bytes_out).sum(),
        warnings: diagnostics.into_vec(),
        epub_bytes,
        elapsed: timings.total(),
        stages: timings.into_stages(),
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
    split_level: u8,
    diagnostics: &mut Diagnostics,
) -> Vec<Document> {
    let mut next_figure = 0;
    let mut next_document = 0;
    let mut documents = Vec::new();
    for (index, file) in manuscript.files.iter().enumerate() {
        let split = match frontmatter::split(&file.path, &file.text) {
            Ok(split) => split,
            Err(problem) => {
                // The first file's unclosed front matter is reported by `read_meta`.
                if index > 0 {
                    diagnostics.push(problem);
                }
                continue;
            }
        };
        if index > 0 && split.yaml.is_some() {
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
            let help = if removed.what.starts_with(xhtml::NESTING_CUT) {
                format!(
                    "elements may nest at most {} deep; flatten the nesting here",
                    nesting::MAX_NESTING
                )
            } else {
                "EPUB content may not hold scripts, forms, frames or event handlers".to_string()
            };
            diagnostics.push(
                documents::located(
                    Diagnostic::warning(format!("removed {} from the HTML", removed.what)),
                    file,
                    removed.origin,
                )
                .with_help(help),
            );
        }
        documents.extend(documents::split_into_documents(
            index,
            rendered.nodes,
            split_level,
            &mut next_document,
        ));
    }
    documents
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
            source::resolve_local(&manuscript.root, base, &path).map_err(|problem| match problem {
                LocalProblem::NotFound => format!("image `{path}` not found"),
                LocalProblem::NotAFile => format!("image `{path}` is not a file"),
                LocalProblem::OutsideBook => format!(
                    "image `{path}` is outside the book folder {}",
                    manuscript.root.display()
                ),
            })
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
        ) {
            Ok(path) => {
                plan.jobs.push(ImageJob {
                    source: path,
                    purpose: Purpose::Cover,
                });
                plan.first_use.push(None);
                plan.cover_job = Some(plan.jobs.len() - 1);
            }
            Err(_) => diagnostics.push(
                Diagnostic::error(format!(
                    "cover image `{}` not found in the book folder",
                    written.display()
                ))
                .in_file(&first.path)
                .with_help("set `cover:` to an image path relative to the book folder"),
            ),
        }
    }
    plan
}

/// Every book gets a cover: readers' library views show a sideloaded book by its cover image.
/// Without `cover:` one is typeset from the title, subtitle and authors.
fn generate_cover(meta: &Meta, grayscale: bool, scratch: &Path) -> Result<ProcessedImage> {
    use crate::images::generated_cover::{self, CoverText};
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
    let byline = match names.as_slice() {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let text = CoverText {
        title: meta.title.clone(),
        subtitle: meta.subtitle.clone(),
        byline,
    };
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
    })
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
        quality: config
            .images
            .quality
            .or(from_meta.quality)
            .unwrap_or(defaults.quality),
        grayscale: config
            .images
            .grayscale
            .or(from_meta.grayscale)
            .unwrap_or(defaults.grayscale),
        cache_dir: match &config.cache {
            CacheMode::Directory(dir) => Some(dir.clone()),
            CacheMode::Disabled => None,
        },
        show_progress: !config.quiet
            && std::io::IsTerminal::is_terminal(&std::io::stderr())
            && std::env::var_os("CI").is_none(),
        ..defaults
    }
}

fn read_stylesheet(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|error| {
        Error::Input(vec![
            Diagnostic::error(format!("cannot read the stylesheet: {error}"))
                .in_file(path)
                .with_help("set `css:` to a CSS file relative to the book folder"),
        ])
    })
}

/// `-o`, else `<slug of title>.epub` in the current folder. Refuses to overwrite an input,
/// a folder, or to write where no file can be created; `None` after reporting why.
fn output_path(
    config: &Config,
    title: Option<&str>,
    manuscript: &Manuscript,
    diagnostics: &mut Diagnostics,
) -> Option<PathBuf> {
    let output = match (&config.output, title) {
        (Some(path), _) => path.clone(),
        (None, Some(title)) => PathBuf::from(format!(
            "{}.{}",
            file_slug(title),
            config.format.extension()
        )),
        // The title is wrong; that error is reported already.
        (None, None) => return None,
    };
    let absolute_output = source::absolute(&output);
    if manuscript
        .files
        .iter()
        .any(|f| f.absolute == absolute_output)
    {
        diagnostics.push(
            Diagnostic::error("the output would overwrite an input file")
                .in_file(&output)
                .with_help("choose another path with -o"),
        );
        return None;
    }
    if output.is_dir() {
        diagnostics.push(
            Diagnostic::error("the output path is a folder")
                .in_file(&output)
                .with_help("give a file name, e.g. -o book.epub"),
        );
        return None;
    }
    if let Err(problem) = package::check_writable(&output) {
        diagnostics.push(problem);
        return None;
    }
    Some(output)
}

/// A file name from a title: letters and digits, lower case, `-` between words.
fn file_slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = slug.chars().take(80).collect();
    if slug.is_empty() {
        "book".to_string()
    } else {
        slug.trim_end_matches('-').to_string()
    }
}
