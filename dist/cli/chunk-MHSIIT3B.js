var t=(function t(n){return`${n.path}${n.line?` (line ${n.line})`:""}: ${n.message}`});import{a as e}from"./chunk-W2BOAQKP.js";e(t,"formatProblem");export{t as a};
