//! Does the chatbot keep its secrets? A bounded red-team run against a product's own chat path:
//! the bundled attacks ([`attacks`], eight families, in this project's words), each tried a few
//! times with a marker of its own ([`marker`]) that only a bot that obeyed would write, and the
//! leak decided from the answer alone ([`judge`]): the marker, the founder's canary, a line of the
//! system prompt, a key in the reply, or an image or link that would carry any of them to another
//! site. [`talk`] reaches the bot the way its chat page does (the flows crate's `chat` path, its
//! sign-in, its keys); [`run`] says the plan in numbers first and keeps to its bounds (at most
//! 300 requests, a rate, a stop at the first 429); [`compare`] says what changed since the run
//! before. [`evals`] asks the founder's own questions (`[[evals]]`) and judges the answers.

pub mod attacks;
pub mod compare;
pub mod evals;
pub mod judge;
pub mod marker;
pub mod mask;
pub mod run;
pub mod talk;

pub use attacks::{Attack, Family};
pub use judge::{Watch, Why};
pub use run::{plan, Options, Plan, Report, Verdict};
pub use talk::{chat_of, Bot};
