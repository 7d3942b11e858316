//! Finding features fast: the fitted vocabulary's term strings ([`terms`]), the index from stem
//! ids to features ([`term_index`]), and the hash tables under them ([`str_map`] for words and
//! stems, [`slot_index`] for entries stored elsewhere).

pub(crate) mod slot_index;
pub(crate) mod str_map;
pub(crate) mod term_index;
pub(crate) mod terms;
