#include "http/head_line_scan.h"

namespace anchor {

HeadVerdict HeadLineScan::Scan(std::string_view buffered) {
  for (; !ended_ && next_ < buffered.size(); ++next_) {
    if (buffered[next_] != '\n') continue;
    // The buffer starts at a line's start, so a LF there is bare too.
    if (next_ == 0 || buffered[next_ - 1] != '\r') {
      return HeadVerdict::Refused(400, "bare LF in the request head");
    }
    // What follows the line end decides; wait for it (the LF is scanned again).
    if (next_ + 1 >= buffered.size()) break;
    const char after = buffered[next_ + 1];
    if (after == ' ' || after == '\t') return HeadVerdict::Refused(400, "folded header line");
    if (after == '\r') {
      if (next_ + 2 >= buffered.size()) break;
      ended_ = buffered[next_ + 2] == '\n';  // else a bare CR, which Beast refuses
    }
  }
  return HeadVerdict::Accepted();
}

}  // namespace anchor
