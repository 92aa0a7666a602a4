-- wrk script: POSTs the bodies of a file (one JSON document per line) in turn, with the headers given by
-- environment variables BENCH_PATH and BENCH_AUTH. Used by ingest-throughput.sh.
local bodies = {}
local index = 0
local path = os.getenv("BENCH_PATH")
local headers = { ["Content-Type"] = "application/json" }
if os.getenv("BENCH_AUTH") ~= nil and os.getenv("BENCH_AUTH") ~= "" then
  headers["Authorization"] = os.getenv("BENCH_AUTH")
end

init = function(args)
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    bodies[#bodies + 1] = line
  end
  index = math.random(#bodies)
end

request = function()
  index = index % #bodies + 1
  return wrk.format("POST", path, headers, bodies[index])
end
