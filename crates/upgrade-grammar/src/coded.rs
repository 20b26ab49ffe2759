//! Enums with a stable kebab-case code per variant, written once.

/// Declares a fieldless enum whose every variant has a stable kebab-case code, with `ALL` (a
/// slice, so that a new variant changes no type), `code()` and `from_code()`.
///
/// Not part of the API: shared with `upgrade-negotiate` so that its reason and outcome enums are
/// written the same way. Each variant is `Name => "code"`, after its doc comment.
#[doc(hidden)]
#[macro_export]
macro_rules! __coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order. A slice, so that adding a variant is not a
            /// breaking change.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The stable kebab-case name of the variant, used in machine-readable output.
            pub const fn code(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }

            /// The variant whose [`code`](Self::code) is `code`.
            pub fn from_code(code: &str) -> ::core::option::Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}
