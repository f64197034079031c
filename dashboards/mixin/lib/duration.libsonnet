// Prometheus durations of one unit ("90s", "5m", "2h", "1d") for alert texts.
local unitSeconds = { s: 1, m: 60, h: 3600, d: 86400 };
local seconds(d) = std.parseInt(std.substr(d, 0, std.length(d) - 1)) * unitSeconds[d[std.length(d) - 1]];
local plural(n, word) = '%d %s%s' % [n, word, if n == 1 then '' else 's'];
local text(sec) =
  if sec % 86400 == 0 then plural(sec / 86400, 'day')
  else if sec % 3600 == 0 then plural(sec / 3600, 'hour')
  else if sec % 60 == 0 then plural(sec / 60, 'minute')
  else plural(sec, 'second');
{
  seconds:: seconds,
  // "5 minutes"; several durations are added up.
  text(durations):: text(std.foldl(function(acc, d) acc + seconds(d), if std.isArray(durations) then durations else [durations], 0)),
}
