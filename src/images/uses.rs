//! Which image files the book uses, and which Markdown reference uses which: every
//! reference (and the cover) resolved to a file inside the book folder once, so the pipeline
//! processes each file once, its problems are reported at the line that uses it, and the
//! documents are pointed at what it became.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{ImageJob, ProcessedImage, Purpose};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{self, Document, ImageOutcome};
use crate::frontmatter;
use crate::model::Meta;
use crate::source::{self, InputKind, Manuscript};

/// Which image files the book uses, and which reference uses which.
pub struct ImageUses {
    /// Distinct sources; the cover, if any, is one of them.
    pub jobs: Vec<ImageJob>,
    /// (file, src) → index into `jobs`, or `None` when the image is shown as its alt text.
    reference_job: HashMap<(usize, String), Option<usize>>,
    /// Per job, the first place that uses it: (file, src as written, origin), for messages.
    first_use: Vec<Option<(usize, String, Option<usize>)>>,
    cover_job: Option<usize>,
}

impl ImageUses {
    pub fn sources(&self) -> Vec<PathBuf> {
        self.jobs.iter().map(|job| job.source.clone()).collect()
    }

    /// Moves the image pipeline's problems, which name the image file, to the Markdown line
    /// that uses the image.
    pub fn locate(&self, problems: Vec<Diagnostic>, manuscript: &Manuscript) -> Vec<Diagnostic> {
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
    pub fn apply(
        &self,
        processed: Vec<ProcessedImage>,
        documents: &mut [Document],
        embedded_credits: bool,
    ) -> Vec<(ProcessedImage, bool)> {
        documents::apply_images(documents, &|file, src| match (*self
            .reference_job
            .get(&(file, src.to_string()))?)
        .map(|job| &processed[job])
        {
            Some(image) => Some(ImageOutcome::Use {
                src: crate::epub::layout::image_src_in_text(&image.file_name),
                embedded_caption: image.embedded_caption.clone(),
                embedded_credit: image.embedded_credit.clone().filter(|_| embedded_credits),
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

    /// The front matter's `cover:` image, resolved like any image reference; a problem is
    /// reported at the `cover:` line.
    fn add_cover(&mut self, cover: &Path, manuscript: &Manuscript, diagnostics: &mut Diagnostics) {
        let written = cover.strip_prefix(&manuscript.root).unwrap_or(cover);
        let first = &manuscript.files[0];
        match source::resolve_local(
            &manuscript.root,
            &manuscript.root,
            &written.to_string_lossy(),
            InputKind::Image,
        ) {
            Ok(path) => {
                self.jobs.push(ImageJob {
                    source: path,
                    purpose: Purpose::Cover,
                });
                self.first_use.push(None);
                self.cover_job = Some(self.jobs.len() - 1);
            }
            Err(problem) => diagnostics.push(
                frontmatter::locate::at_key(
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
}

/// Resolves every image reference (and the cover) to a file in the book. References that
/// cannot be used are reported (errors, or warnings with `--allow-missing-images`).
pub fn find(
    manuscript: &Manuscript,
    meta: Option<&Meta>,
    config: &Config,
    documents: &[Document],
    diagnostics: &mut Diagnostics,
) -> ImageUses {
    let mut plan = ImageUses {
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
        plan.add_cover(cover, manuscript, diagnostics);
    }
    plan
}
