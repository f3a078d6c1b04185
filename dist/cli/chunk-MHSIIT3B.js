import{a as e}from"./chunk-W2BOAQKP.js";function t(n){return`${n.path}${n.line?` (line ${n.line})`:""}: ${n.message}`}e(t,"formatProblem");export{t as a};
