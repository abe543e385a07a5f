// SPDX-License-Identifier: Apache-2.0
// Hostile input to the media readers: FIFOs and devices where files are expected, oversized sidecars,
// pictures whose header asks for gigabytes, bytes that are not UTF-8, a corrupt GPMF packet, a display
// matrix that is not a rotation, an EXIF Orientation outside 1-8. Each is refused in one sentence or
// kept as data with a diagnostic; none may hang, grow without bound or lose the rest of the file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

extern "C" {
#include <libavutil/display.h>
}

#include "adapters/av.hpp"
#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/json.hpp"
#include "geo/core/text.hpp"
#include "geo/media/image_file.hpp"
#include "geo/media/probe.hpp"
#include "geo/media/telemetry.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using geo::test::ScratchDir;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `fn`, which must throw geo::Error; returns its message (empty when it did not throw).
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const geo::Error& e) {
    return e.what();
  }
  return {};
}

fs::path make_fifo(const fs::path& p) {
  EXPECT_EQ(::mkfifo(p.c_str(), 0600), 0) << std::strerror(errno);
  return p;
}

// A sparse file of `bytes` (no disk blocks): what a 4 GB sidecar looks like to a reader.
fs::path make_sparse(const fs::path& p, std::uint64_t bytes) {
  geo::test::write_bytes(p, "1\n00:00:00,000 --> 00:00:01,000\n");
  EXPECT_EQ(::truncate(p.c_str(), static_cast<off_t>(bytes)), 0);
  return p;
}

std::string be32(std::uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// A structurally whole PNG (signature, IHDR, one IDAT, IEND) whose header claims width x height.
std::string png_claiming(std::uint32_t width, std::uint32_t height) {
  std::string ihdr = be32(width) + be32(height) + std::string("\x08\x02\x00\x00\x00", 5);
  auto chunk = [](const std::string& type, const std::string& data) { return be32(std::uint32_t(data.size())) + type + data + be32(0); };
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", std::string(16, '\0')) + chunk("IEND", "");
}

std::span<const unsigned char> as_bytes(const std::string& s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

TEST(HostileInput, SrtReadersRefuseFifoDeviceAndOversizedFileAtOnce) {
  ScratchDir dir;
  const fs::path fifo = make_fifo(dir / "pipe.srt");
  const fs::path sparse = make_sparse(dir / "huge.srt", 4ull << 30);
  struct Case {
    fs::path path;
    std::string expect;
  };
  for (const Case& c : {Case{fifo, "not a regular file (a FIFO)"}, Case{"/dev/zero", "not a regular file (a character device)"},
                        Case{sparse, "too large (4096 MiB; at most 256 MiB"}}) {
    geo::Diagnostics diags;
    const auto t0 = Clock::now();
    const std::string msg = error_of([&] { geo::read_dji_srt(c.path, diags); });
    EXPECT_LT(seconds_since(t0), 1.0) << c.path;
    EXPECT_NE(msg.find("probe.srt: "), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  // probe's --srt is checked before the media file is read or hashed.
  geo::ProbeOptions o;
  for (const Case& c : {Case{fifo, "a FIFO"}, Case{"/dev/zero", "a character device"}, Case{sparse, "4096 MiB"}}) {
    o.srt = c.path;
    const auto t0 = Clock::now();
    const std::string msg = error_of([&] { o.validate(); });
    EXPECT_LT(seconds_since(t0), 1.0);
    EXPECT_NE(msg.find("probe: --telemetry"), std::string::npos) << msg;  // the option as docs/cli.md spells it
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
  }
}

TEST(HostileInput, ProbeAndPictureReadsRefuseAFifoUnopened) {
  ScratchDir dir;
  const fs::path fifo = make_fifo(dir / "clip.mp4");
  const auto t0 = Clock::now();
  const std::string probe_msg = error_of([&] { geo::probe_media(fifo, geo::ProbeOptions{}); });
  EXPECT_EQ(probe_msg, "probe: " + fifo.string() + ": not a regular file (a FIFO)");
  const std::string read_msg = error_of([&] { geo::read_file_bytes(fifo); });
  EXPECT_EQ(read_msg, "image.read: " + fifo.string() + ": not a regular file (a FIFO)");
  const std::string dev_msg = error_of([&] { geo::read_file_bytes("/dev/zero"); });
  EXPECT_EQ(dev_msg, "image.read: /dev/zero: not a regular file (a character device)");
  const std::string av_msg = error_of([&] { geo::av::open_input(fifo); });
  EXPECT_EQ(av_msg, "media.open: " + fifo.string() + ": not a regular file (a FIFO)");
  EXPECT_LT(seconds_since(t0), 1.0);
}

TEST(HostileInput, PictureSizeIsReadFromTheHeaderAndCapped) {
  // Real encodes: the header size is the picture's size, and a picture under the cap may be decoded.
  const cv::Mat img(123, 321, CV_8UC3, cv::Scalar(10, 200, 30));
  for (const char* ext : {".jpg", ".png", ".tiff", ".webp", ".bmp", ".ppm"}) {
    std::vector<unsigned char> buf;
    ASSERT_TRUE(cv::imencode(ext, img, buf)) << ext;
    const auto size = geo::image_header_size(buf);
    ASSERT_TRUE(size.has_value()) << ext;
    EXPECT_EQ(size->width, 321u) << ext;
    EXPECT_EQ(size->height, 123u) << ext;
    EXPECT_EQ(geo::image_bytes_undecodable(buf), "") << ext;
  }
  // 30000 x 30000 = 900 MP (2.7 GB as BGR): refused from the 57-byte header alone.
  const std::string big = png_claiming(30000, 30000);
  EXPECT_EQ(geo::image_bytes_incomplete(as_bytes(big)), "");
  EXPECT_EQ(geo::image_bytes_undecodable(as_bytes(big)),
            "the png picture is 30000 x 30000 pixels, over the limit of 400000000 pixels: not decoded");
  EXPECT_EQ(geo::image_bytes_undecodable(as_bytes(png_claiming(20000, 20000))), "");  // exactly 400 MP
  EXPECT_EQ(geo::image_bytes_undecodable({}), "the file is empty (0 bytes)");
  const std::string noise = geo::test::random_bytes(4096, 7);
  EXPECT_NE(geo::image_bytes_undecodable(as_bytes(noise)).find("cannot be read from its header"), std::string::npos);
}

TEST(HostileInput, PictureFilesOverTheByteCapAreRefusedUnread) {
  ScratchDir dir;
  const fs::path sparse = dir / "huge.png";
  geo::test::write_bytes(sparse, png_claiming(100, 100));
  ASSERT_EQ(::truncate(sparse.c_str(), static_cast<off_t>(geo::kMaxImageFileBytes + 1)), 0);
  const auto t0 = Clock::now();
  const std::string msg = error_of([&] { geo::read_file_bytes(sparse); });
  EXPECT_LT(seconds_since(t0), 1.0);
  EXPECT_NE(msg.find("too large for a picture (1024 MiB; at most 1024 MiB)"), std::string::npos) << msg;
}

TEST(HostileInput, Latin1FileNameKeepsItsBytesInTheJson) {
  ScratchDir dir;
  const fs::path latin1 = geo::test::make_latin1_named_video(dir.path());
  const geo::MediaInfo m = geo::probe_media(latin1, geo::ProbeOptions{});
  EXPECT_EQ(m.path, latin1.string());  // the exact bytes, in memory
  const geo::Json j = geo::to_json(m);
  EXPECT_EQ(j["path_hex"], geo::hex_bytes(latin1.string()));
  EXPECT_NE(j["path_hex"].get<std::string>().find("78e92e6d7034"), std::string::npos);  // "x\xe9.mp4"
  const std::string text = geo::dump_json(j, 2);
  const geo::Json back = geo::Json::parse(text);  // valid UTF-8 JSON
  EXPECT_NE(back["path"].get<std::string>().find("x\xEF\xBF\xBD.mp4"), std::string::npos);  // U+FFFD shown
  // A valid name gets no path_hex.
  fs::copy_file(latin1, dir / "clip.mp4");
  EXPECT_FALSE(geo::to_json(geo::probe_media(dir / "clip.mp4", geo::ProbeOptions{})).contains("path_hex"));
}

// A JPEG whose EXIF IFD0 holds Make "Ca\xff\xffn" and Orientation 9, before a real picture.
std::string jpeg_with_exif(const std::string& make, std::uint16_t orientation) {
  auto le16 = [](std::uint16_t v) { return std::string{char(v & 0xFF), char(v >> 8)}; };
  auto le32 = [&](std::uint32_t v) { return le16(std::uint16_t(v & 0xFFFF)) + le16(std::uint16_t(v >> 16)); };
  const std::string make_z = make + '\0';
  std::string tiff = "II" + le16(42) + le32(8);
  tiff += le16(2);
  tiff += le16(0x010F) + le16(2) + le32(std::uint32_t(make_z.size())) + le32(8 + 2 + 2 * 12 + 4);
  tiff += le16(0x0112) + le16(3) + le32(1) + le16(orientation) + le16(0);
  tiff += le32(0);
  tiff += make_z;
  const std::string app1 = std::string("Exif\0\0", 6) + tiff;
  std::vector<unsigned char> pic;
  cv::imencode(".jpg", cv::Mat(64, 64, CV_8UC3, cv::Scalar(40, 90, 160)), pic);
  const std::string len{char((app1.size() + 2) >> 8), char((app1.size() + 2) & 0xFF)};
  return std::string("\xFF\xD8\xFF\xE1", 4) + len + app1 + std::string(pic.begin() + 2, pic.end());
}

TEST(HostileInput, ExifMakeWithBadBytesAndOrientationNineAreKeptAndFlagged) {
  ScratchDir dir;
  const fs::path photo = dir / "photo.jpg";
  geo::test::write_bytes(photo, jpeg_with_exif("Ca\xff\xffn", 9));
  const geo::MediaInfo m = geo::probe_media(photo, geo::ProbeOptions{});
  EXPECT_EQ(m.kind, "image");
  EXPECT_EQ(m.device.make, "Ca\xff\xffn");
  bool warned = false;
  for (const auto& d : m.diagnostics.items())
    if (d.code == "exif.orientation_invalid") {
      warned = true;
      EXPECT_EQ(d.severity, geo::Severity::warning);
      EXPECT_NE(d.message.find("EXIF Orientation 9 is not one of 1-8"), std::string::npos) << d.message;
    }
  EXPECT_TRUE(warned);
  const geo::Json j = geo::to_json(m);
  EXPECT_EQ(j["device"]["make"], "Ca\xEF\xBF\xBD\xEF\xBF\xBDn");
  EXPECT_EQ(j["device"]["make_hex"], "4361ffff6e");
  EXPECT_FALSE(j["device"].contains("model_hex"));
  EXPECT_EQ(j["tags"]["Exif.Image.Make_hex"], "4361ffff6e");
  EXPECT_NO_THROW(geo::Json::parse(j.dump(-1, ' ', false, geo::Json::error_handler_t::strict)));  // already valid
  // A valid orientation says nothing.
  geo::test::write_bytes(photo, jpeg_with_exif("Canon", 6));
  EXPECT_FALSE(geo::probe_media(photo, geo::ProbeOptions{}).diagnostics.has("exif.orientation_invalid"));
}

struct PacketAt {
  std::int64_t pos = -1;
  int size = 0;
};

// File offsets of the GPMF ('gpmd') packets of a video, read through libav.
std::vector<PacketAt> gpmf_packets(const fs::path& file) {
  std::vector<PacketAt> out;
  auto ctx = geo::av::open_input(file);
  int gpmd = -1;
  for (unsigned i = 0; i < ctx->nb_streams; ++i)
    if (ctx->streams[i]->codecpar->codec_tag == MKTAG('g', 'p', 'm', 'd')) gpmd = int(i);
  auto pkt = geo::av::make_packet();
  while (av_read_frame(ctx.get(), pkt.get()) >= 0) {
    geo::av::PacketUnrefGuard g(pkt.get());
    if (pkt->stream_index == gpmd) out.push_back({pkt->pos, pkt->size});
  }
  return out;
}

TEST(HostileInput, OneCorruptGpmfPacketIsAWarningAndTheRestOfTheTrackIsKept) {
  const fs::path src = geo::test::shared("media/gopro-gpmf/max-heromode.mp4");
  if (!fs::exists(src)) GTEST_SKIP() << "shared sample missing: " << src;
  ScratchDir dir;
  const fs::path copy = dir / "corrupt.mp4";
  fs::copy_file(src, copy);
  const geo::MediaInfo before = geo::probe_media(copy, geo::ProbeOptions{});
  ASSERT_TRUE(before.telemetry.has_value());
  const std::size_t samples_before = before.telemetry->samples.size();
  ASSERT_GT(samples_before, 100u);
  const auto packets = gpmf_packets(copy);
  ASSERT_GE(packets.size(), 4u);
  const PacketAt bad = packets[2];
  {  // 0xFF over the packet's first 16 bytes: its top-level KLV header claims 255 x 65535 bytes
    std::fstream f(copy, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(bad.pos);
    const std::string ff(16, '\xff');
    f.write(ff.data(), std::streamsize(ff.size()));
  }
  const geo::MediaInfo m = geo::probe_media(copy, geo::ProbeOptions{});
  ASSERT_TRUE(m.telemetry.has_value());
  const std::size_t lost = samples_before - m.telemetry->samples.size();
  EXPECT_GT(lost, 0u);
  EXPECT_LT(lost, samples_before / packets.size() * 2 + 1);  // about one packet's worth, not the track
  const geo::Diagnostic* found = nullptr;
  for (const auto& d : m.diagnostics.items())
    if (d.code == "gpmf.malformed") found = &d;
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->severity, geo::Severity::warning);
  EXPECT_NE(found->message.find("'\\xff\\xff\\xff\\xff'"), std::string::npos) << found->message;
  EXPECT_NE(found->where.find("GPMF packet 2 (" + std::to_string(bad.size) + " bytes at file offset " +
                              std::to_string(bad.pos)),
            std::string::npos)
      << found->where;
  // And the JSON of it is valid without any repair.
  EXPECT_NO_THROW((void)geo::to_json(m).dump(-1, ' ', false, geo::Json::error_handler_t::strict));
}

// Overwrites the 2x2 part of the first tkhd matrix (16.16 fixed point) in an MP4 file.
void set_tkhd_matrix(const fs::path& file, double a, double b, double c, double d) {
  std::string bytes = file_bytes(file);
  const auto at = bytes.find("tkhd");
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(bytes[at + 4], 0) << "tkhd version 0 expected";
  const std::size_t matrix = at + 4 + 40;  // after version/flags, times, track id, duration, layer...volume
  auto put = [&](std::size_t k, double v) {
    const std::string x = be32(static_cast<std::uint32_t>(static_cast<std::int32_t>(v * 65536)));
    bytes.replace(matrix + 4 * k, 4, x);
  };
  put(0, a), put(1, b), put(3, c), put(4, d);
  geo::test::write_bytes(file, bytes);
}

TEST(HostileInput, AShearDisplayMatrixIsNoRotationAndIsFlagged) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  const auto fx = geo::test::make_video(dir / "v.mp4", o);
  // [0 1; -1 1]: libav's rotation getter reads it as 90 degrees clockwise, but it shears.
  set_tkhd_matrix(fx.path, 0, 1, -1, 1);
  {
    auto ctx = geo::av::open_input(fx.path);
    const int32_t* m = geo::av::stream_display_matrix(ctx->streams[0]);
    ASSERT_NE(m, nullptr);
    EXPECT_NEAR(av_display_rotation_get(m), -90.0, 1e-6);  // what a reader that trusts libav would report
  }
  const geo::MediaInfo m = geo::probe_media(fx.path, geo::ProbeOptions{});
  ASSERT_TRUE(m.video.has_value());
  EXPECT_EQ(m.video->rotation_deg, 0.0);
  ASSERT_TRUE(m.diagnostics.has("video.display_matrix_not_rotation"));
  for (const auto& d : m.diagnostics.items())
    if (d.code == "video.display_matrix_not_rotation") {
      EXPECT_EQ(d.severity, geo::Severity::warning);
      EXPECT_NE(d.message.find("[0 1; -1 1]"), std::string::npos) << d.message;
    }
  // A true rotation written the same way still reads as one, without that warning.
  set_tkhd_matrix(fx.path, 0, 1, -1, 0);
  const geo::MediaInfo r = geo::probe_media(fx.path, geo::ProbeOptions{});
  EXPECT_EQ(r.video->rotation_deg, 90.0);
  EXPECT_FALSE(r.diagnostics.has("video.display_matrix_not_rotation"));
}

}  // namespace
