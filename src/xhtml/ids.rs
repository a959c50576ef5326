//! Pass 3: ids made unique; later duplicates are renamed, never dropped, so every heading
//! keeps an anchor for the table of contents.

use super::*;

/// Renames later duplicates of an id to `<id>-2`, `<id>-3`, …, choosing names used nowhere in
/// the fragment. The first keeps its name, so links written against it still work.
pub(super) fn make_ids_unique(nodes: &mut [Node], removed: &mut Vec<Removed>) {
    let mut used: HashSet<String> = HashSet::new();
    crate::xhtml::dom::for_each_element(nodes, &mut |e| {
        if let Some(id) = e.attr("id") {
            used.insert(id.to_string());
        }
    });
    let mut seen: HashSet<String> = HashSet::new();
    // Per id, the suffix to try next: thousands of copies of one id stay linear.
    let mut next_suffix: std::collections::HashMap<String, usize> = Default::default();
    walk_with_origin(nodes, None, &mut |element, origin| {
        let Some(id) = element.attr("id").map(str::to_string) else {
            return;
        };
        if seen.insert(id.clone()) {
            return;
        }
        let start = next_suffix.get(&id).copied().unwrap_or(2);
        let (n, fresh) = (start..)
            .map(|n| (n, format!("{id}-{n}")))
            .find(|(_, candidate)| !used.contains(candidate))
            .unwrap_or_default();
        next_suffix.insert(id.clone(), n + 1);
        used.insert(fresh.clone());
        seen.insert(fresh.clone());
        removed.push(Removed {
            what: format!("duplicate id \"{id}\" (renamed \"{fresh}\")"),
            origin,
        });
        element.set_attr("id", fresh);
    });
}

pub(super) fn walk_with_origin(
    nodes: &mut [Node],
    origin: Option<usize>,
    visit: &mut impl FnMut(&mut Element, Option<usize>),
) {
    for node in nodes {
        if let Node::Element(element) = node {
            let origin = element.origin.or(origin);
            visit(element, origin);
            walk_with_origin(&mut element.children, origin, visit);
        }
    }
}
