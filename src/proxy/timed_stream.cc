#include "proxy/timed_stream.h"

#include <algorithm>

namespace berth::proxy {

namespace asio = boost::asio;
using boost::system::error_code;

TimedStream::TimedStream(socket_type socket)
    : state_(std::make_shared<State>(std::move(socket))) {}

TimedStream::TimedStream(asio::io_context& ioc) : TimedStream(socket_type(ioc)) {}

TimedStream::~TimedStream() {
  if (state_) close();
}

void TimedStream::expires_after(clock::duration d) {
  clock::time_point at = clock::now() + d;
  if (!state_->read.pending) state_->read.deadline = at;
  if (!state_->write.pending) state_->write.deadline = at;
}

void TimedStream::expires_never() {
  if (!state_->read.pending) state_->read.deadline = clock::time_point::max();
  if (!state_->write.pending) state_->write.deadline = clock::time_point::max();
}

void TimedStream::close() {
  error_code ec;
  state_->socket.close(ec);
  state_->timer.cancel();
  state_->armed = clock::time_point::max();
}

TimedStream::State::State(socket_type s) : socket(std::move(s)), timer(socket.get_executor()) {}

void TimedStream::State::Begin(Op op) {
  if (op != kWrite) read.pending = true;
  if (op != kRead) write.pending = true;
  Arm();
}

error_code TimedStream::State::End(Op op, error_code ec) {
  Direction& d = op == kRead ? read : write;
  bool timed_out = d.timed_out;
  if (op != kWrite) read = Direction{read.deadline};
  if (op != kRead) write = Direction{write.deadline};
  if (timed_out) return boost::beast::error::timeout;
  return ec;
}

void TimedStream::State::Arm() {
  clock::time_point due = clock::time_point::max();
  if (read.pending) due = std::min(due, read.deadline);
  if (write.pending) due = std::min(due, write.deadline);
  if (due == clock::time_point::max() || armed <= due) return;
  // expires_at cancels a later wait still out; its handler then sees operation_aborted.
  armed = due;
  timer.expires_at(due);
  timer.async_wait([weak = weak_from_this()](error_code ec) {
    if (ec) return;  // cancelled: re-armed earlier, closed or destroyed
    if (auto self = weak.lock()) self->OnTimer();
  });
}

void TimedStream::State::OnTimer() {
  armed = clock::time_point::max();
  clock::time_point now = clock::now();
  bool read_late = read.pending && now >= read.deadline;
  bool write_late = write.pending && now >= write.deadline;
  if (read_late || write_late) {
    // As tcp_stream: the late operations report a timeout, the socket is closed.
    read.timed_out = read_late;
    write.timed_out = write_late;
    error_code ec;
    socket.close(ec);
    return;
  }
  Arm();  // fired before a deadline that has moved later since: watch the new one
}

}  // namespace berth::proxy
