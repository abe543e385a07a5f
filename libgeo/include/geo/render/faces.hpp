// SPDX-License-Identifier: Apache-2.0
// Safeguarding: faces in images that leave the case (map thumbnails, report figures) are blurred.
// People filmed leaving a compound, or held in one, must not be identifiable from what geoev publishes.
#pragma once
#include <filesystem>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

namespace geo::render {

// Where the Haar cascades are read from: $GEOEV_HAARCASCADES_DIR, else Debian's opencv-data
// (/usr/share/opencv4/haarcascades), else /usr/share/opencv/haarcascades.
std::filesystem::path haarcascades_dir();

// Finds faces in a BGR (or grey) 8-bit image with three of OpenCV's Haar cascades from opencv-data:
// frontal "default" and "alt2", and the profile one (also on the mirrored image, for faces turned the
// other way), with 2 neighbours. On 13 real photographs with 48 faces (tests/data/faces,
// docs/dev/faces.md) it finds 37 (77 %), and about 6 false faces per photograph. Boxes are in the
// image's pixels and may overlap (one face found by several cascades). Detection runs on a copy scaled to
// 1600 px on its long side, enlarged at most 2x: faces narrower than 24 px at that scale (1.5 % of the
// long side, and at least 12 px) are missed, and so are faces seen from above or behind, mostly hidden
// (hands, masks) or turned well past profile: this is a safeguard, not a guarantee. Thread-safe (each
// thread loads its own cascades once).
// Throws Error{not_found} naming opencv-data and scripts/setup.sh when the cascades are missing.
std::vector<cv::Rect> detect_faces(const cv::Mat& image);

// The area blurred for a face found at `face`: the box enlarged by half its size on every side, clipped
// to an image of `size` (empty when nothing of it is inside).
cv::Rect blur_area(const cv::Rect& face, const cv::Size& size);

// Blurs each box, enlarged by half its size on every side (hair, ears, a face the detector framed
// tightly) and clipped to the image, with a Gaussian blur strong enough that the face cannot be
// recognised (sigma a quarter of the enlarged box, applied after a 1/8 downscale). In place.
void blur_regions(cv::Mat& image, const std::vector<cv::Rect>& boxes);

// detect_faces + blur_regions, then once more on the blurred image (blurring a face can reveal a
// neighbour the first pass missed): returns how many areas were blurred. `bgr` is 8-bit, 1 or 3 channels
// (Error{invalid_argument} otherwise). Throws like detect_faces: a caller that cannot blur must not
// publish the image.
int blur_faces(cv::Mat& bgr);

}  // namespace geo::render
