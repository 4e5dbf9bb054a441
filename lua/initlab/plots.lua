-- plots.lua: the diagnostic figures that several reports share, built on il.svg.
--
--   plots.signal(series)                      std of the pre-activation per layer (log scale)
--   plots.gradient_norms(title, diagnostics, layers)   |dW| of chosen layers over the recorded steps
--   plots.histograms(snapshot, what, layers, title)    activations or gradients of chosen layers
--   plots.spread_layers(n, count)             about `count` layer numbers spread over 1..n
--   plots.layer_figures(name, diagnostics, snapshots, layers [, with_gradients])
--                                             one run's per-layer figures, as {{id, svg, caption}, ...}
local il = require "initlab"

local plots = {}

function plots.spread_layers(n, count)
  local layers, seen = {}, {}
  for k = 0, count - 1 do
    local l = math.floor(1 + k * (n - 1) / math.max(count - 1, 1) + 0.5)
    if not seen[l] then seen[l] = true; layers[#layers + 1] = l end
  end
  return layers
end

-- series: {{name =, stds = {per layer}}, ...}
function plots.signal(series, title)
  local lines = {}
  for _, s in ipairs(series) do
    local x = {}
    for l = 1, #s.stds do x[l] = l end
    lines[#lines + 1] = { name = s.name, x = x, y = s.stds }
  end
  return il.svg.line_chart{ title = title or "std of the pre-activation Z per layer, at step 0", xlabel = "layer",
    ylabel = "std(Z)", logy = true, series = lines }
end

-- diagnostics: the records of diagnostics.recorder ({{step =, layers = {stats}}, ...}).
function plots.gradient_norms(title, diagnostics, layers)
  local series = {}
  for _, l in ipairs(layers) do
    local steps, norms = {}, {}
    for _, d in ipairs(diagnostics) do
      steps[#steps + 1] = d.step
      norms[#norms + 1] = d.layers[l].grad_W_norm
    end
    series[#series + 1] = { name = "layer " .. l, x = steps, y = norms }
  end
  return il.svg.line_chart{ title = title, xlabel = "iteration", ylabel = "|dW|", logy = true, series = series }
end

-- snapshot: diagnostics.snapshot(net); what: "activations" or "gradients".
function plots.histograms(snapshot, what, layers, title)
  local series = {}
  for _, l in ipairs(layers) do
    series[#series + 1] = { name = "layer " .. l, values = snapshot[l][what] }
  end
  return il.svg.histogram{ title = title, series = series, bins = 40, logy = true,
    xlabel = what == "activations" and "activation value" or "gradient with respect to the layer input",
    ylabel = "count" }
end

-- One run's per-layer story, for page:figure(id, svg, caption): |dW| of the chosen layers over the
-- recorded steps, then (when snapshots were kept) histograms of the activations at step 0, of the
-- gradients at step 0 if asked, and of the activations at the last step.
function plots.layer_figures(name, diagnostics, snapshots, layers, with_gradients)
  local figures = { { "grad_norms_" .. name, plots.gradient_norms(name .. ": gradient norm |dW| per layer",
    diagnostics, layers), "How much signal reaches each layer's weights during training." } }
  if snapshots and snapshots.first then
    figures[#figures + 1] = { "activations_" .. name, plots.histograms(snapshots.first, "activations", layers,
      name .. ": activations at initialization"), "Activation values per layer at step 0 (log counts)." }
    if with_gradients then
      figures[#figures + 1] = { "gradients_" .. name, plots.histograms(snapshots.first, "gradients", layers,
        name .. ": back-propagated gradients at initialization"), "Gradients reaching each layer's input at step 0." }
    end
    figures[#figures + 1] = { "activations_end_" .. name, plots.histograms(snapshots.last, "activations", layers,
      name .. ": activations after training"), "Activation values per layer at the last step." }
  end
  return figures
end

return plots
