-- lesson_output.lua: what the Initialization lesson leaves behind: its results as JSON (--json) and its
-- HTML report (--report). Kept apart from the lesson so the lesson reads like the notebook.
local il = require "initlab"

local lesson_output = {}

-- JSON: {"dataset": {train_X, train_Y, test_X, test_Y},
--        "runs": {name: {"init": {W1, b1, ...}, "costs": [...], "train_accuracy", "test_accuracy"}}}
function lesson_output.write_json(path, dataset, results)
  local runs = {}
  for _, r in ipairs(results) do
    runs[r.name] = {
      init = r.init,
      costs = r.costs,
      train_accuracy = r.train_accuracy,
      test_accuracy = r.test_accuracy,
      diagnostics = r.diagnostics, -- per-layer statistics every --diagnostics steps (nil when off)
    }
  end
  il.json.write(path, { dataset = dataset, runs = runs })
end


-- The points of a 2 x n data matrix as svg.scatter wants them: {x =, y =, class =}.
local function scatter_points(X, Y)
  local rows, labels = X:totable(), Y:totable()[1]
  return { x = rows[1], y = rows[2], class = labels }
end

local classes = { { name = "red (y = 0)" }, { name = "blue (y = 1)" } }

-- The classifier's probability of class 1 at every point of a grid over the notebook's [-1.5, 1.5]^2.
local function decision_grid(net, resolution)
  local grid = { xmin = -1.5, xmax = 1.5, ymin = -1.5, ymax = 1.5, nx = resolution, ny = resolution }
  local points = il.svg.grid_points(grid)
  local X = il.matrix{ points.x, points.y }
  grid.values = net:probabilities(X)
  return grid
end

-- write_report(dir, dataset, results, conclusion) -> path of index.html
-- `results` are the lesson's runs ({name, net, costs, iterations, train_accuracy, test_accuracy,
-- diagnostics, snapshots}); `conclusion`
-- holds the table the lesson printed ({headers, rows}) and the learning rate.
function lesson_output.write_report(dir, dataset, results, conclusion)
  local svg = il.svg
  local page = il.report.new{ title = "Initialization",
    subtitle = "The deep-learning course's lesson, reproduced by initlab: zeros, large random and He initialization" }

  page:heading("The data")
  page:paragraph("Blue and red dots in circles: 300 training points (seed 1) and 100 test points (seed 2), " ..
    "drawn exactly as scikit-learn's `make_circles(noise=0.05)` draws them.")
  page:figure("dataset", svg.scatter{ title = "Training set", xlabel = "x1", ylabel = "x2",
    points = scatter_points(dataset.train_X, dataset.train_Y), classes = classes, equal = true },
    "The training set: the classifier must separate the inner (blue) circle from the outer (red) one.")

  page:heading("Training")
  local series = {}
  for _, r in ipairs(results) do series[#series + 1] = { name = r.name, x = r.iterations, y = r.costs } end
  page:figure("costs", svg.line_chart{ title = ("Cost, learning rate = %s"):format(il.fmt.float(conclusion.learning_rate)),
    xlabel = "iteration", ylabel = "cost", series = series },
    "The cost every 1000 iterations. Large random weights start at inf: the sigmoid returns exactly 0 or 1 " ..
    "and log(0) overflows.")

  page:heading("Decision boundaries")
  for _, r in ipairs(results) do
    page:figure("boundary_" .. r.name, svg.decision_map{
      title = ("Model with %s initialization"):format(r.name), xlabel = "x1", ylabel = "x2",
      grid = decision_grid(r.net, 120), mode = "probability",
      points = scatter_points(dataset.train_X, dataset.train_Y), classes = classes },
      ("Probability of blue under the %s model, with the training points; train accuracy %s, test accuracy %s.")
        :format(r.name, il.fmt.percent(r.train_accuracy), il.fmt.percent(r.test_accuracy)))
  end

  if results[1] and results[1].diagnostics then
    local plots = require "initlab.plots"
    page:heading("Why: per-layer diagnostics")
    page:paragraph("Each layer's statistics, recorded during training. With zeros every unit of a layer computes " ..
      "the same thing and gets the same gradient; the first layers' gradients are exactly 0 (not drawn on the log " ..
      "scale) and never change. With large random weights the pre-activations are huge and the sigmoid saturates.")
    local signal = {}
    for _, r in ipairs(results) do
      local stds = {}
      for l, st in ipairs(r.diagnostics[1].layers) do stds[l] = st.pre_std end
      signal[#signal + 1] = { name = r.name, stds = stds }
    end
    page:figure("signal", plots.signal(signal), "The std of each layer's pre-activation Z at step 0.")
    for _, r in ipairs(results) do
      for _, f in ipairs(plots.layer_figures(r.name, r.diagnostics, r.snapshots, { 1, 2, 3 })) do
        page:figure(f[1], f[2], f[3])
      end
    end
  end

  page:heading("Conclusions")
  page:table{ headers = conclusion.headers, rows = conclusion.rows,
    caption = "Measured by this run, with the same iterations and hyperparameters for every model." }
  return page:write(dir)
end

return lesson_output
