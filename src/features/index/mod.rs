//! Finding features fast: the fitted vocabulary's term strings ([`terms`]), the index from stem
//! ids to features ([`term_index`]), and the hash tables under them ([`str_map`] for words and
//! stems, [`slot_index`] for entries stored elsewhere).

pub mod slot_index;
pub mod str_map;
pub mod term_index;
pub mod terms;
