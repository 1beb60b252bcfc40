//! `image tree`: an image's layers drawn as podman draws them (the gotree
//! layout: `├── `, `└── `, `│   ` and four spaces).

use crate::commands::out;
use crate::output::human::{human_size_compact, short_id};
use berth_runtime::{ImageTree, Runtime, TreeLayer};

/// One node of the drawing: its text and its children.
#[derive(Debug, Default)]
struct Node {
    text: String,
    items: Vec<Node>,
}

impl Node {
    fn leaf(text: String) -> Self {
        Self {
            text,
            items: Vec::new(),
        }
    }

    /// The root's text, a newline, then the items.
    fn print(&self) -> String {
        let mut s = format!("{}\n", self.text);
        print_items(&self.items, &mut Vec::new(), &mut s);
        s
    }
}

fn print_items(items: &[Node], spaces: &mut Vec<bool>, s: &mut String) {
    for (i, item) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        let prefix: String = spaces
            .iter()
            .map(|&empty| if empty { "    " } else { "│   " })
            .collect();
        for (n, line) in item.text.split('\n').enumerate() {
            let indicator = match (n, last) {
                (0, true) => "└── ",
                (0, false) => "├── ",
                (_, true) => "    ",
                (_, false) => "│   ",
            };
            s.push_str(&prefix);
            s.push_str(indicator);
            s.push_str(line);
            s.push('\n');
        }
        if !item.items.is_empty() {
            spaces.push(last);
            print_items(&item.items, spaces, s);
            spaces.pop();
        }
    }
}

/// Go's `%s` of a string slice: `[a b]`.
fn go_list(names: &[String]) -> String {
    format!("[{}]", names.join(" "))
}

fn layer_text(l: &TreeLayer) -> String {
    let tags = if l.top_of.is_empty() {
        String::new()
    } else {
        format!(" Top Layer of: {}", go_list(&l.top_of))
    };
    format!(
        "ID: {} Size: {:>7}{tags}",
        short_id(&l.id),
        human_size_compact(l.size)
    )
}

/// Children hang from their layer when it has siblings, else they continue
/// the parent's list.
fn add_with_children(l: &TreeLayer, parent: &mut Node) {
    if l.branch {
        let mut node = Node::leaf(layer_text(l));
        for c in &l.children {
            add_with_children(c, &mut node);
        }
        parent.items.push(node);
    } else {
        parent.items.push(Node::leaf(layer_text(l)));
        for c in &l.children {
            add_with_children(c, parent);
        }
    }
}

/// The drawing of an image's tree.
fn render(t: &ImageTree, what_requires: bool) -> String {
    let mut root = Node::leaf(format!(
        "Image ID: {}\nTags:     {}\nSize:     {}\n{}",
        short_id(&t.id),
        go_list(&t.names),
        human_size_compact(t.size),
        if t.has_layers {
            "Image Layers"
        } else {
            "No Image Layers"
        }
    ));
    for l in &t.layers {
        if what_requires {
            add_with_children(l, &mut root);
        } else {
            root.items.push(Node::leaf(layer_text(l)));
        }
    }
    root.print()
}

/// Runs `image tree`.
pub(super) fn run(rt: &Runtime, image: &str, what_requires: bool) -> anyhow::Result<u8> {
    let t = rt.image_tree(image, what_requires)?;
    out(&format!("{}\n", render(&t, what_requires)))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(id: char, top_of: &[&str], branch: bool, children: Vec<TreeLayer>) -> TreeLayer {
        TreeLayer {
            id: id.to_string().repeat(64),
            size: 1_997_000,
            top_of: top_of.iter().map(|s| (*s).to_owned()).collect(),
            branch,
            children,
        }
    }

    #[test]
    fn draws_podmans_layout() {
        let t = ImageTree {
            id: "f".repeat(64),
            names: vec!["localhost/bb:latest".into()],
            size: 1_998_000,
            has_layers: true,
            layers: vec![
                layer('a', &[], false, vec![]),
                layer('b', &["x:1", "y:2"], false, vec![]),
            ],
        };
        assert_eq!(
            render(&t, false),
            "Image ID: ffffffffffff\nTags:     [localhost/bb:latest]\nSize:     1.998MB\nImage Layers\n\
             ├── ID: aaaaaaaaaaaa Size: 1.997MB\n\
             └── ID: bbbbbbbbbbbb Size: 1.997MB Top Layer of: [x:1 y:2]\n"
        );
        let t = ImageTree {
            layers: vec![layer(
                'a',
                &["a:1"],
                false,
                vec![
                    layer('b', &[], true, vec![layer('d', &["d:1"], false, vec![])]),
                    layer('c', &["c:1"], true, vec![]),
                ],
            )],
            ..t
        };
        assert_eq!(
            render(&t, true),
            "Image ID: ffffffffffff\nTags:     [localhost/bb:latest]\nSize:     1.998MB\nImage Layers\n\
             ├── ID: aaaaaaaaaaaa Size: 1.997MB Top Layer of: [a:1]\n\
             ├── ID: bbbbbbbbbbbb Size: 1.997MB\n\
             │   └── ID: dddddddddddd Size: 1.997MB Top Layer of: [d:1]\n\
             └── ID: cccccccccccc Size: 1.997MB Top Layer of: [c:1]\n"
        );
    }
}
