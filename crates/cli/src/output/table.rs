//! Aligned columns as Go's text/tabwriter makes them with podman's
//! settings (minimum cell width 12, padding 2, spaces): every tab ends a
//! cell, each column is as wide as its widest cell plus 2 (at least 12),
//! and the text after a line's last tab is not padded.

/// Aligns tab-separated `lines`.
pub fn align(lines: &[String]) -> String {
    const MIN_WIDTH: usize = 12;
    const PADDING: usize = 2;
    let split: Vec<Vec<&str>> = lines.iter().map(|l| l.split('\t').collect()).collect();
    let columns = split
        .iter()
        .map(|c| c.len().saturating_sub(1))
        .max()
        .unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for cells in &split {
        for (i, cell) in cells.iter().take(cells.len() - 1).enumerate() {
            widths[i] = widths[i].max(cell.chars().count() + PADDING);
        }
    }
    for w in &mut widths {
        *w = (*w).max(MIN_WIDTH);
    }
    let mut out = String::new();
    for cells in &split {
        let last = cells.len() - 1;
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths[i] - cell.chars().count();
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_podman_ps_layout() {
        let lines = [
            "CONTAINER ID\tIMAGE\tCOMMAND\tNAMES",
            "65c3dba0d272\tlocalhost/bb:latest\tsleep 1000\tweb",
            "d57dc504a68f\tlocalhost/bb:latest\ttrue\tdone",
        ]
        .map(String::from);
        assert_eq!(
            align(&lines),
            "CONTAINER ID  IMAGE                COMMAND     NAMES\n\
             65c3dba0d272  localhost/bb:latest  sleep 1000  web\n\
             d57dc504a68f  localhost/bb:latest  true        done\n"
        );
    }

    #[test]
    fn empty_cells_are_padded_and_short_columns_get_min_width() {
        let lines = ["DRIVER\tVOLUME NAME", "local\tv1", "\tx"].map(String::from);
        assert_eq!(
            align(&lines),
            "DRIVER      VOLUME NAME\nlocal       v1\n            x\n"
        );
    }

    #[test]
    fn no_tabs_no_padding() {
        assert_eq!(align(&["abc".to_owned()]), "abc\n");
        assert_eq!(align(&[]), "");
    }
}
