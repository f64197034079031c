#pragma once

#include <cstddef>
#include <string_view>

#include "http/head_verdict.h"

namespace anchor {

// The one check on a head's raw bytes, for what Beast 1.74's parser cannot report: a folded line
// (obs-fold), which it joins to the line before without a word. Bare LFs are refused here too:
// Beast refuses them only once the head's CRLF CRLF has arrived, so a head of bare LFs would wait
// for the head timeout instead of getting its 400. Scans each byte once, as the head arrives, and
// stops at the blank line that ends the head, so a body is never scanned.
class HeadLineScan {
 public:
  // Scans what `buffered` (the head from the first byte not yet dropped) holds beyond the last
  // call, up to the head's end.
  HeadVerdict Scan(std::string_view buffered);
  // `n` bytes (scanned already) left the front of the buffer.
  void Dropped(std::size_t n) { next_ = n < next_ ? next_ - n : 0; }

 private:
  std::size_t next_ = 0;  // first byte not scanned yet
  bool ended_ = false;    // the blank line that ends the head was found
};

}  // namespace anchor
