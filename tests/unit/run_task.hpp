// Drives one coroutine to completion on a fresh single-threaded io_context and returns its
// result (or rethrows). A deadline guards against a hang turning into a stuck test run.
#pragma once

#include <chrono>
#include <future>
#include <stdexcept>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace rollcall::testing {

template <class T>
T run_task(boost::asio::awaitable<T> task, std::chrono::seconds deadline = std::chrono::seconds{30}) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run_for(deadline);
  if (result.wait_for(std::chrono::seconds{0}) != std::future_status::ready)
    throw std::runtime_error("coroutine did not finish (hung?)");
  return result.get();
}

}  // namespace rollcall::testing
