// SPDX-License-Identifier: Apache-2.0
// Safeguarding: faces in images that leave the case (map thumbnails, report figures) are blurred.
// People filmed leaving a compound, or held in one, must not be identifiable from what geoev publishes.
#pragma once
#include <filesystem>
#include <string>
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

// The boxes blur_faces blurs in `image`, which is left unchanged: detect_faces, then detect_faces once
// more on a copy with those faces blurred (blurring a face can reveal a neighbour the first pass
// missed). blur_regions(image, find_faces(image)) is blur_faces(image). Throws like detect_faces.
std::vector<cv::Rect> find_faces(const cv::Mat& image);

// find_faces + blur_regions: returns how many areas were blurred. `bgr` is 8-bit, 1 or 3 channels
// (Error{invalid_argument} otherwise). Throws like detect_faces: a caller that cannot blur must not
// publish the image.
int blur_faces(cv::Mat& bgr);

// Names the detector and every setting that changes what it finds (cascades, scales, neighbours,
// passes, OpenCV's version): boxes kept under another name are found again.
const std::string& face_detector_id();

// Faces found once per picture and kept, so that a report or map drawn again from the same frames does
// not search them again (a 960 x 540 frame costs seconds of CPU; 100 frames minutes). Kept as one small
// JSON file per picture, named by the SHA-256 of the file's bytes, holding the detector's name and the
// boxes: a changed file or a changed detector is searched again, never served stale boxes. A case keeps
// them in DIR/run/faces (in_case): derived data beside the stage results, never beside the originals.
// Thread-safe: concurrent users of one directory each write whole files by rename.
class FaceCache {
 public:
  // `dir` empty: nothing is kept, every call searches.
  explicit FaceCache(std::filesystem::path dir = {});
  static FaceCache in_case(const std::filesystem::path& case_dir);

  // find_faces of `decoded` (the picture decoded from `file`), read from the kept boxes when they were
  // found by this detector in a file with the same bytes and size, else found and kept. A directory that
  // cannot be written (a read-only case) only means nothing is kept. Throws like detect_faces.
  std::vector<cv::Rect> faces(const std::filesystem::path& file, const cv::Mat& decoded) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace geo::render
