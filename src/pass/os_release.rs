//! The distribution: os-release (`/etc/os-release`, else `/usr/lib/os-release`) as reported,
//! and the distribution that package URLs name (also from older release files).

use super::{ImagePass, ImageView};
use crate::report::ImageReport;
use crate::scan::packages::{detect_distro, os_release_fields};

pub(super) struct OsRelease;

impl ImagePass for OsRelease {
    fn id(&self) -> &'static str {
        "os-release"
    }

    fn run(&self, image: &ImageView, out: &mut ImageReport) {
        let bytes = ["/etc/os-release", "/usr/lib/os-release"]
            .iter()
            .find_map(|p| image.visible_capture(p));
        out.os_release = bytes.map(|b| {
            let fields = os_release_fields(&String::from_utf8_lossy(b));
            let get = |k: &str| fields.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
            crate::report::OsRelease {
                id: get("ID"),
                version_id: get("VERSION_ID"),
                pretty_name: get("PRETTY_NAME"),
            }
        });
        out.distro = detect_distro(bytes, &|p: &str| image.visible_capture(p).map(<[u8]>::to_vec));
    }
}
