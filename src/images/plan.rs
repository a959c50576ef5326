//! Planning: decide the order of work from cheap facts (file sizes) before any pixel is decoded.
//!
//! Jobs run largest first. With two cores and jobs of very different sizes, running them in
//! the order written can leave two large photos for the end, one per core, or one large photo
//! alone on one core while the other idles; taking the largest first (the classic LPT rule)
//! keeps both cores busy to the end, finishing on the small ones.

use std::fs;

use super::ImageJob;

/// A job with its position in the caller's list and its source size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedJob<'a> {
    /// Position in the caller's `jobs`, where the result goes.
    pub index: usize,
    pub job: &'a ImageJob,
    /// Source size in bytes, the estimate of the work; 0 when the file cannot be read (the
    /// worker then reports why).
    pub source_len: u64,
}

/// The jobs in the order to start them: largest source first, ties in the caller's order.
pub fn plan(jobs: &[ImageJob]) -> Vec<PlannedJob<'_>> {
    let mut planned: Vec<PlannedJob<'_>> = jobs
        .iter()
        .enumerate()
        .map(|(index, job)| PlannedJob {
            index,
            job,
            source_len: fs::metadata(&job.source).map_or(0, |meta| meta.len()),
        })
        .collect();
    planned.sort_by(|a, b| b.source_len.cmp(&a.source_len).then(a.index.cmp(&b.index)));
    planned
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::Purpose;

    #[test]
    fn largest_sources_come_first_and_ties_keep_their_order() {
        let dir = tempfile::tempdir().unwrap();
        let sizes = [10usize, 300, 10, 2000];
        let jobs: Vec<ImageJob> = sizes
            .iter()
            .enumerate()
            .map(|(i, &len)| {
                let path = dir.path().join(format!("{i}.bin"));
                fs::write(&path, vec![0u8; len]).unwrap();
                ImageJob {
                    source: path,
                    purpose: Purpose::Figure,
                }
            })
            .collect();
        let order: Vec<usize> = plan(&jobs).iter().map(|p| p.index).collect();
        assert_eq!(order, vec![3, 1, 0, 2]);
    }
}
