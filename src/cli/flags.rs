//! The library names a parameter in its messages as `name`, in backticks (`text_field`,
//! `delimiter`); on the command line that parameter is a flag, `--text-field`. Every message
//! from the library that the CLI prints passes through here, so that it names what the user
//! typed.

/// The parameters the library's messages name that are flags here: `name` is `--name`, with
/// underscores as dashes.
const PARAMETERS: &[&str] = &[
    "by",
    "date_field",
    "date_format",
    "delimiter",
    "folds",
    "grid_bands",
    "grid_known",
    "grid_signals",
    "id_field",
    "label_field",
    "skip_bad",
    "source_field",
    "text_field",
    "title_field",
    "validation",
];

/// `message` with each parameter in backticks as its flag.
pub fn as_flags(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find('`') {
        let (before, tail) = rest.split_at(start);
        out.push_str(before);
        let inner = &tail[1..];
        match inner
            .find('`')
            .map(|end| (&inner[..end], &inner[end + 1..]))
        {
            Some((name, after)) if PARAMETERS.contains(&name) => {
                out.push_str("--");
                out.push_str(&name.replace('_', "-"));
                rest = after;
            }
            _ => {
                out.push('`');
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_flags_and_other_code_stays() {
        assert_eq!(
            as_flags("name the text column with `text_field`, or pass `delimiter` \";\""),
            "name the text column with --text-field, or pass --delimiter \";\""
        );
        assert_eq!(as_flags("`by` is empty"), "--by is empty");
        assert_eq!(
            as_flags("run `stance adapt` with `folds` 3; a lone ` stays"),
            "run `stance adapt` with --folds 3; a lone ` stays"
        );
    }
}
