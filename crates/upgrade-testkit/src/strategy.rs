//! The byte bridge from proptest to the `arbitrary` generators: a proptest strategy over bytes,
//! decoded as the fuzz targets decode theirs, so that the properties and the fuzz targets draw
//! from the same generators, and proptest shrinks a failing value by shrinking its bytes.

use std::fmt::Debug;

use arbitrary::{Arbitrary, Unstructured};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// The most bytes drawn for one value; the generators read a few hundred at most and take
/// zeros, their smallest choices, once the bytes run out.
pub const MAX_BYTES: usize = 1024;

/// Values of `T` decoded by `T::arbitrary_take_rest` from 0 to [`MAX_BYTES`] random bytes.
///
/// ```
/// use proptest::prelude::*;
/// use upgrade_testkit::lists::generate::ListInput;
/// use upgrade_testkit::strategy::arbitrary;
///
/// proptest!(|(input in arbitrary::<ListInput>())| {
///     prop_assert!(input.items.len() <= 12);
/// });
/// ```
pub fn arbitrary<T>() -> impl Strategy<Value = T>
where
    T: for<'a> Arbitrary<'a> + Debug,
{
    vec(any::<u8>(), 0..=MAX_BYTES).prop_filter_map("bytes that do not decode", |bytes| {
        T::arbitrary_take_rest(Unstructured::new(&bytes)).ok()
    })
}

/// The default proptest configuration (which takes the case count from `PROPTEST_CASES`), with
/// failures persisted in `regressions_file`: give it an absolute path such as
/// `concat!(env!("CARGO_MANIFEST_DIR"), "/proptest-regressions/properties.txt")`, since the
/// default location cannot be found for integration tests of a workspace member.
pub fn proptest_config(regressions_file: &'static str) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions_file))),
        ..ProptestConfig::default()
    }
}
