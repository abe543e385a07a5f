// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "support/support.hpp"

using namespace geo;

TEST(AtomicFile, NothingAppearsUntilCommit) {
  test::ScratchDir dir;
  const auto target = dir / "out.json";
  {
    AtomicFile f(target);
    f.stream() << "{}";
    EXPECT_FALSE(std::filesystem::exists(target));
    EXPECT_EQ(f.temp_path().extension(), ".json");
    f.commit();
  }
  EXPECT_EQ(test::read_text(target), "{}");
  {
    AtomicFile f(dir / "abandoned.json");
    f.stream() << "partial";
  }
  EXPECT_EQ(test::list_files(dir.path()).size(), 1u);  // only out.json; the abandoned temp is gone
}

TEST(AtomicFile, MissingDirectoryIsAnError) {
  test::ScratchDir dir;
  EXPECT_THROW(AtomicFile(dir / "no" / "such" / "out.json"), Error);
}

TEST(AtomicDir, AppearsWholeOrNotAtAll) {
  test::ScratchDir dir;
  const auto target = dir / "frames";
  {
    AtomicDir d(target);
    test::write_bytes(d.temp_dir() / "a.txt", "a");
  }
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_TRUE(test::list_files(dir.path()).empty());
  {
    AtomicDir d(target);
    test::write_bytes(d.temp_dir() / "a.txt", "a");
    d.commit();
  }
  EXPECT_EQ(test::read_text(target / "a.txt"), "a");
  EXPECT_THROW(AtomicDir{target}, Error);  // exists and is not empty
}

TEST(AtomicFile, AnInterruptedProcessLeavesNoTemporaries) {
  test::ScratchDir dir;
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    geo::remove_temporaries_on_interrupt();
    AtomicFile f(dir / "out.json");
    f.stream() << "partial" << std::flush;
    AtomicDir d(dir / "frames");
    test::write_bytes(d.temp_dir() / "a.jpg", "a");
    std::filesystem::create_directory(d.temp_dir() / "sub");
    test::write_bytes(d.temp_dir() / "sub" / "b.jpg", "b");
    ::raise(SIGTERM);
    ::_exit(0);  // not reached: the handler re-raises with the default action
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << test::list_files(dir.path()).size() << " files left";
}
