//! Entry point Trunk builds; the app itself is the `frontend` library.

fn main() {
    frontend::run();
}
