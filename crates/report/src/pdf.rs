//! The report as PDF through typst: an A4 document (cover, contents,
//! sections with tables and charts) or 16:9 slides, one idea per slide.
//! The view goes in as `data.json`; charts are the same SVG the HTML page
//! shows, so their text stays text. DejaVu Sans is embedded for Cyrillic.

use crate::Error;
use crate::view::View;

const DOCUMENT: &str = include_str!("../templates/document.typ");
const SLIDES: &str = include_str!("../templates/slides.typ");

/// The A4 document.
pub fn document(view: &View) -> Result<Vec<u8>, Error> {
    compile(DOCUMENT, view)
}

/// The 16:9 presentation.
pub fn slides(view: &View) -> Result<Vec<u8>, Error> {
    compile(SLIDES, view)
}

#[cfg(not(feature = "pdf-typst"))]
fn compile(_template: &str, _view: &View) -> Result<Vec<u8>, Error> {
    Err(Error::NoPdf)
}

#[cfg(feature = "pdf-typst")]
fn compile(template: &str, view: &View) -> Result<Vec<u8>, Error> {
    let data = serde_json::to_vec(view).map_err(|e| Error::Render(e.to_string()))?;
    world::compile(template, data)
}

#[cfg(feature = "pdf-typst")]
mod world {
    use std::sync::OnceLock;

    use typst::diag::{FileError, FileResult};
    use typst::foundations::{Bytes, Datetime, Duration};
    use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
    use typst::text::{Font, FontBook};
    use typst::utils::LazyHash;
    use typst::{Library, LibraryExt, World};

    use crate::Error;

    const FONTS: [&[u8]; 2] = [
        include_bytes!("../fonts/DejaVuSans.ttf"),
        include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
    ];

    struct Shared {
        library: LazyHash<Library>,
        book: LazyHash<FontBook>,
        fonts: Vec<Font>,
    }

    /// The library and fonts, built once.
    fn shared() -> &'static Shared {
        static SHARED: OnceLock<Shared> = OnceLock::new();
        SHARED.get_or_init(|| {
            let fonts: Vec<Font> = FONTS
                .iter()
                .flat_map(|b| Font::iter(Bytes::new(*b)))
                .collect();
            Shared {
                library: LazyHash::new(Library::builder().build()),
                book: LazyHash::new(FontBook::from_fonts(&fonts)),
                fonts,
            }
        })
    }

    fn id(path: &str) -> Option<FileId> {
        VirtualPath::new(path)
            .ok()
            .map(|p| RootedPath::new(VirtualRoot::Project, p).intern())
    }

    struct ReportWorld {
        main: Source,
        data_id: Option<FileId>,
        data: Bytes,
    }

    impl World for ReportWorld {
        fn library(&self) -> &LazyHash<Library> {
            &shared().library
        }

        fn book(&self) -> &LazyHash<FontBook> {
            &shared().book
        }

        fn main(&self) -> FileId {
            self.main.id()
        }

        fn source(&self, id: FileId) -> FileResult<Source> {
            if id == self.main.id() {
                Ok(self.main.clone())
            } else {
                Err(FileError::NotFound(std::path::PathBuf::from(
                    id.get().vpath().get_with_slash(),
                )))
            }
        }

        fn file(&self, id: FileId) -> FileResult<Bytes> {
            if Some(id) == self.data_id {
                Ok(self.data.clone())
            } else {
                Err(FileError::NotFound(std::path::PathBuf::from(
                    id.get().vpath().get_with_slash(),
                )))
            }
        }

        fn font(&self, index: usize) -> Option<Font> {
            shared().fonts.get(index).cloned()
        }

        fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
            None
        }
    }

    pub fn compile(template: &str, data: Vec<u8>) -> Result<Vec<u8>, Error> {
        let main_id = id("main.typ").ok_or_else(|| Error::Render("no main path".into()))?;
        let world = ReportWorld {
            main: Source::new(main_id, template.to_string()),
            data_id: id("data.json"),
            data: Bytes::new(data),
        };
        let describe = |errors: &[typst::diag::SourceDiagnostic]| {
            errors
                .iter()
                .map(|d| {
                    let at = typst::WorldExt::range(&world, d.span)
                        .map(|r| {
                            let line = template[..r.start.min(template.len())].lines().count();
                            format!(" (template line {line})")
                        })
                        .unwrap_or_default();
                    format!("{}{at}", d.message)
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let document = typst::compile::<typst_layout::PagedDocument>(&world)
            .output
            .map_err(|e| Error::Render(format!("PDF layout: {}", describe(&e))))?;
        typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
            .map_err(|e| Error::Render(format!("PDF: {}", describe(&e))))
    }
}
